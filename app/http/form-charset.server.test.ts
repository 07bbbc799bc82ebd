import { describe, expect, it } from "vitest";
import { declaredCharset, decodeForm, nonUtf8Charset, percentDecodedBytes } from "./form-charset.server";

const FORM = "application/x-www-form-urlencoded";
const decode = (body: string | Buffer, contentType = FORM) =>
  decodeForm(typeof body === "string" ? Buffer.from(body, "latin1") : body, contentType);

describe("declaredCharset", () => {
  it("reads unquoted, double-quoted and single-quoted labels, case-insensitively", () => {
    expect(declaredCharset(`${FORM}; charset=iso-8859-1`)).toBe("windows-1252");
    expect(declaredCharset(`${FORM}; charset="UTF-8"`)).toBe("utf-8");
    expect(declaredCharset(`${FORM}; charset='utf-8'`)).toBe("utf-8");
    expect(declaredCharset(`${FORM};CHARSET=latin1`)).toBe("windows-1252");
  });

  it("is UTF-8 when no charset is declared or the label is unknown", () => {
    expect(declaredCharset(FORM)).toBe("utf-8");
    expect(declaredCharset(`${FORM}; charset=foo`)).toBe("utf-8");
    expect(declaredCharset(`${FORM}; charset=""`)).toBe("utf-8");
  });
});

describe("nonUtf8Charset (JSON's Content-Type: a label is a 415, null is a 415, undefined is taken)", () => {
  const JSON_TYPE = "application/json";

  it("takes no charset and UTF-8 by any of its names, quoted or not", () => {
    for (const header of [
      JSON_TYPE,
      `${JSON_TYPE}; charset=utf-8`,
      `${JSON_TYPE};charset="UTF8"`,
      `${JSON_TYPE}; charset='utf-8'`,
    ]) {
      expect(nonUtf8Charset(header), header).toBeUndefined();
    }
  });

  it("names a charset other than UTF-8, known or not", () => {
    expect(nonUtf8Charset(`${JSON_TYPE}; charset=latin1`)).toBe("latin1");
    expect(nonUtf8Charset(`${JSON_TYPE}; charset="utf-16"`)).toBe("utf-16");
    expect(nonUtf8Charset(`${JSON_TYPE}; charset=no-such-charset`)).toBe("no-such-charset");
  });

  it("does not read a charset inside another parameter's quoted value", () => {
    expect(nonUtf8Charset(`${JSON_TYPE}; foo="x;charset=latin1"`)).toBeUndefined();
    expect(nonUtf8Charset(`${JSON_TYPE}; foo="x;charset=latin1"; charset=utf-8`)).toBeUndefined();
  });

  it("is null for a Content-Type that cannot be read", () => {
    for (const header of [`${JSON_TYPE}; charset`, `${JSON_TYPE}; charset="utf-8`, "json", `${JSON_TYPE}; =x`]) {
      expect(nonUtf8Charset(header), header).toBeNull();
    }
  });
});

describe("declaredCharset and a charset inside a quoted parameter", () => {
  it("reads a form as UTF-8 when charset= only appears inside another parameter's value", () => {
    expect(declaredCharset(`${FORM}; foo="x;charset=latin1"`)).toBe("utf-8");
  });
});

describe("percentDecodedBytes", () => {
  it("turns + into a space and %XX into its byte; %2B is a plus", () => {
    expect(percentDecodedBytes(Buffer.from("a+b%2Bc%20d")).toString()).toBe("a b+c d");
  });

  it("keeps a malformed % as sent", () => {
    expect(percentDecodedBytes(Buffer.from("100%")).toString()).toBe("100%");
    expect(percentDecodedBytes(Buffer.from("%zz%4")).toString()).toBe("%zz%4");
  });
});

describe("decodeForm", () => {
  it("decodes UTF-8 by default, and the declared charset when there is one", () => {
    expect(decode("name=Jos%C3%A9")).toEqual([["name", "José"]]);
    expect(decode("name=Jos%E9", `${FORM}; charset=iso-8859-1`)).toEqual([["name", "José"]]);
    expect(decode("name=Jos%C3%A9", `${FORM}; charset='utf-8'`)).toEqual([["name", "José"]]);
  });

  it("reads an unknown charset as UTF-8, and refuses it only when the bytes are not UTF-8", () => {
    expect(decode("name=Jos%C3%A9", `${FORM}; charset=foo`)).toEqual([["name", "José"]]);
    expect(decode("name=Jos%E9", `${FORM}; charset=foo`)).toBeNull();
  });

  it("treats + as a space, %2B as a plus and a malformed % as itself", () => {
    expect(decode("q=a+b%2Bc&p=50%&r=%G1")).toEqual([
      ["q", "a b+c"],
      ["p", "50%"],
      ["r", "%G1"],
    ]);
  });

  it("skips empty pairs and gives a name without = the value ''", () => {
    expect(decode("&a=1&&flag&=x&")).toEqual([
      ["a", "1"],
      ["flag", ""],
      ["", "x"],
    ]);
    expect(decode("")).toEqual([]);
  });

  it("drops a UTF-8 byte order mark before the body, but not an encoded one inside a value", () => {
    expect(decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a=1")]))).toEqual([["a", "1"]]);
    expect(decode("a=%EF%BB%BFx")).toEqual([["a", "\uFEFFx"]]);
  });

  it("refuses bytes that are not UTF-8: a lone Latin-1 byte, an encoded surrogate (%ED%A0%80)", () => {
    expect(decode("a=Ren%E9")).toBeNull();
    expect(decode("a=%ED%A0%80")).toBeNull();
    expect(decode(Buffer.from([0x61, 0x3d, 0xe9]))).toBeNull();
  });

  it("refuses a charset a urlencoded body cannot be in (UTF-16)", () => {
    expect(decode("a=1", `${FORM}; charset=utf-16le`)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { MEMORY_KEY_FORM_VERSION, normaliseMemoryKey, storedMemoryKey } from "./keys";

/** Every key the examples below normalise: taking a normalised key to its form again changes nothing. */
const EXAMPLES = [
  "  Home   City ",
  "Employer\tName",
  "bad key ✓",
  "home/city",
  "mother's name!",
  "e-mail",
  "bad_key_✓",
  "✓",
  " + 1",
  "+ +",
  "Cafe\u0301 Owner",
  "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
  "\u200f\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0634\u0647\u0631\u200e",
  "शहर का नाम",
  "क्\u200dष",
  "bad key ✔️",
  "✔️",
  "family 👨\u200d👩\u200d👧",
  "home \u200c",
  "\u0301home",
  "\u200d\u200c\u200d",
  "___",
  "_____",
  "İ".repeat(3),
];

describe("memory keys", () => {
  it("are lower case, with one _ for each run of spaces", () => {
    expect(normaliseMemoryKey("  Home   City ")).toBe("home_city");
    expect(normaliseMemoryKey("Employer\tName")).toBe("employer_name");
  });

  it('treat symbols and punctuation as word breaks: "bad key ✓" is bad_key', () => {
    expect(normaliseMemoryKey("bad key ✓")).toBe("bad_key");
    expect(normaliseMemoryKey("home/city")).toBe("home_city");
    expect(normaliseMemoryKey("mother's name!")).toBe("mother_s_name");
    expect(normaliseMemoryKey("e-mail")).toBe("e-mail");
    expect(normaliseMemoryKey("bad_key_✓")).toBe("bad_key");
  });

  it("keep a key that is only symbols as it is, never empty", () => {
    expect(normaliseMemoryKey("✓")).toBe("✓");
    expect(normaliseMemoryKey(" + 1")).toBe("1");
    expect(normaliseMemoryKey("+ +")).toBe("+_+");
  });

  it("are the same whether an accent was typed combined or precomposed (NFC)", () => {
    const decomposed = "Cafe\u0301 Owner";
    const composed = "Caf\u00e9 owner";
    expect(decomposed).not.toBe(composed);
    expect(normaliseMemoryKey(decomposed)).toBe(normaliseMemoryKey(composed));
    expect(normaliseMemoryKey(decomposed)).toBe("caf\u00e9_owner");
  });

  it("keep the zero-width non-joiner of Persian and drop bidi marks", () => {
    // "mikhaham" (I want) is spelled with a ZWNJ between its prefix and stem.
    const persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645";
    expect(normaliseMemoryKey(persian)).toBe(persian);
    expect(normaliseMemoryKey(`\u200f${persian} \u0634\u0647\u0631\u200e`)).toBe(`${persian}_\u0634\u0647\u0631`);
    for (const mark of [
      "\u200e",
      "\u200f",
      "\u202a",
      "\u202b",
      "\u202c",
      "\u202d",
      "\u202e",
      "\u2066",
      "\u2067",
      "\u2068",
      "\u2069",
    ])
      expect(normaliseMemoryKey(`home${mark}city`), mark.codePointAt(0)!.toString(16)).toBe("homecity");
  });

  it("keep Devanagari's vowel signs and viramas, and its zero-width joiner", () => {
    // "shahar" (city) in Hindi: consonants with combining vowel signs (marks, not symbols).
    expect(normaliseMemoryKey("शहर का नाम")).toBe("शहर_का_नाम");
    // क्‍ष: a virama then a ZWJ asks for the half form; both stay.
    expect(normaliseMemoryKey("क्\u200dष")).toBe("क्\u200dष");
  });

  it("leave no invisible character that joins nothing: variation selectors, stray joiners, a leading mark", () => {
    expect(normaliseMemoryKey("bad key ✔️")).toBe("bad_key");
    expect(normaliseMemoryKey("family 👨\u200d👩\u200d👧")).toBe("family");
    expect(normaliseMemoryKey("home \u200c")).toBe("home");
    expect(normaliseMemoryKey("home\u200d city")).toBe("home_city");
    expect(normaliseMemoryKey("\u0301home")).toBe("home");
    // A key of nothing but symbols keeps them, not their variation selector.
    expect(normaliseMemoryKey("✔️")).toBe("✔");
  });

  it("are empty (refused) when made of nothing but joiners, and one _ when made of nothing but _", () => {
    expect(normaliseMemoryKey("\u200d\u200c\u200d")).toBe("");
    expect(normaliseMemoryKey("___")).toBe("_");
    expect(normaliseMemoryKey("_____")).toBe(normaliseMemoryKey("___"));
  });

  it("are already in their form once normalised", () => {
    for (const example of EXAMPLES) {
      const once = normaliseMemoryKey(example);
      expect(normaliseMemoryKey(once), JSON.stringify(example)).toBe(once);
    }
  });
});

describe("stored keys", () => {
  it("longer than 80 characters are cut after the last whole word that fits", () => {
    const long = "the name of the street where my grandmother lived when she was a child in the fifties";
    expect(storedMemoryKey(long)).toBe("the_name_of_the_street_where_my_grandmother_lived_when_she_was_a_child_in_the");
    expect(storedMemoryKey("x".repeat(100))).toBe("x".repeat(80));
    // A word that ends exactly at the limit is kept whole.
    expect(storedMemoryKey(`${"a".repeat(80)} b`)).toBe("a".repeat(80));
  });

  it("are cut between whole characters: no half of an emoji, no stray joiner", () => {
    const key = storedMemoryKey(`${"क्‍ष".repeat(30)}`);
    expect(key.length).toBeLessThanOrEqual(80);
    expect(normaliseMemoryKey(key)).toBe(key);
    expect(storedMemoryKey("İ".repeat(60)).length).toBeLessThanOrEqual(80);
  });

  it(`keep the form of version ${MEMORY_KEY_FORM_VERSION} (a change here needs MEMORY_KEY_FORM_VERSION raised, so stored keys are taken to it)`, () => {
    const form = EXAMPLES.map(storedMemoryKey);
    expect({ version: MEMORY_KEY_FORM_VERSION, form }).toEqual({
      version: 2,
      form: [
        "home_city",
        "employer_name",
        "bad_key",
        "home_city",
        "mother_s_name",
        "e-mail",
        "bad_key",
        "✓",
        "1",
        "+_+",
        "caf\u00e9_owner",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645_\u0634\u0647\u0631",
        "शहर_का_नाम",
        "क्\u200dष",
        "bad_key",
        "✔",
        "family",
        "home",
        "home",
        "",
        "_",
        "_",
        "i\u0307".repeat(3),
      ],
    });
  });
});

import { describe, expect, it } from "vitest";
import { formatDateTime, isTimeZone, nextDay, startOfDayInZone } from "./time-zone";
import { currentZoneName, pickerZone, timeZones } from "./time-zone-names.server";

describe("time zones", () => {
  it("lists UTC first, then every IANA zone once", () => {
    const zones = timeZones();
    expect(zones[0]).toBe("UTC");
    expect(new Set(zones).size).toBe(zones.length);
    expect(zones).toContain("Europe/Paris");
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("America/New_York")).toBe(true);
    expect(isTimeZone("Mars/Base")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });

  it("accepts every name ICU accepts: current IANA names, CLDR's older ones and links, but no offsets", () => {
    // Intl.supportedValuesOf lists Asia/Calcutta and Europe/Kiev only; the check took nothing else.
    for (const zone of ["Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "Asia/Yangon", "America/Nuuk"]) {
      expect(isTimeZone(zone), zone).toBe(true);
    }
    for (const zone of ["Asia/Calcutta", "Europe/Kiev", "US/Pacific", "Etc/GMT+5", "Etc/UTC", "EST"]) {
      expect(isTimeZone(zone), zone).toBe(true);
    }
    for (const value of ["+05:30", "-0800", "Asia/", "/Kolkata", "Asia/Kolkata ", "Europe/Atlantis", "Mars/Base"]) {
      expect(isTimeZone(value), value).toBe(false);
    }
  });

  it("lists the current IANA names, in order, and no zone twice", () => {
    const zones = timeZones();
    for (const zone of ["Asia/Kolkata", "Europe/Kyiv", "Asia/Ho_Chi_Minh", "Asia/Yangon", "Asia/Kathmandu"]) {
      expect(zones, zone).toContain(zone);
    }
    for (const zone of ["Asia/Calcutta", "Europe/Kiev", "Asia/Saigon", "Asia/Rangoon", "Asia/Katmandu"]) {
      expect(zones, zone).not.toContain(zone);
    }
    expect(zones.slice(1)).toEqual([...zones.slice(1)].sort());
    expect(zones.every(isTimeZone)).toBe(true);
    expect(currentZoneName("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(currentZoneName("Europe/Berlin")).toBe("Europe/Berlin");
  });

  it("shows a stored zone as the picker's entry for it, whatever name it was saved under", () => {
    expect(pickerZone("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(pickerZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(pickerZone("Europe/Kiev")).toBe("Europe/Kyiv");
    expect(pickerZone("US/Pacific")).toBe("America/Los_Angeles");
    expect(pickerZone("Etc/UTC")).toBe("UTC");
    expect(pickerZone("UTC")).toBe("UTC");
    expect(pickerZone("Europe/Paris")).toBe("Europe/Paris");
    // A name no longer known is left as it is (the form then asks for a zone).
    expect(pickerZone("Mars/Base")).toBe("Mars/Base");
  });

  it("formats an instant in the person's zone", () => {
    const instant = new Date("2026-07-01T12:00:00Z");
    expect(formatDateTime(instant, "UTC")).toBe("1 Jul 2026, 12:00");
    expect(formatDateTime(instant, "Asia/Kolkata")).toBe("1 Jul 2026, 17:30");
  });

  it("finds the start of a calendar day in a zone, across DST changes", () => {
    expect(startOfDayInZone("2026-01-15", "UTC").toISOString()).toBe("2026-01-15T00:00:00.000Z");
    expect(startOfDayInZone("2026-01-15", "America/New_York").toISOString()).toBe("2026-01-15T05:00:00.000Z");
    expect(startOfDayInZone("2026-07-15", "America/New_York").toISOString()).toBe("2026-07-15T04:00:00.000Z");
    // Europe/London springs forward at 01:00 on 29 March 2026; midnight is still GMT.
    expect(startOfDayInZone("2026-03-29", "Europe/London").toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect(startOfDayInZone("2026-03-30", "Europe/London").toISOString()).toBe("2026-03-29T23:00:00.000Z");
    // Far east of UTC: the day starts on the previous UTC date.
    expect(startOfDayInZone("2026-01-15", "Pacific/Kiritimati").toISOString()).toBe("2026-01-14T10:00:00.000Z");
  });

  it("steps to the next day across month and year ends", () => {
    expect(nextDay("2026-01-31")).toBe("2026-02-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
  });
});

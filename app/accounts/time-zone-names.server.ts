import cldrTimeZones from "cldr-bcp47/bcp47/timezone.json";

/**
 * The zone picker's names. ICU (and so Intl.supportedValuesOf) names zones by CLDR's canonical IDs,
 * which CLDR never renames: Asia/Calcutta, Europe/Kiev, Asia/Saigon. IANA renamed them long ago
 * (Asia/Kolkata, Europe/Kyiv, Asia/Ho_Chi_Minh), and people search the list for the new names. CLDR's
 * own BCP 47 time-zone data (the cldr-bcp47 package, Unicode's JSON of CLDR; kept at the runtime's
 * CLDR version) records each zone's current IANA name in `_iana` where it differs from the first
 * alias, which is the ID ICU uses: that is the map, not a table of our own to keep up to date.
 */
type CldrZone = { _alias?: string; _iana?: string };

const currentNames: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const zones = cldrTimeZones.keyword.u.tz as Record<string, CldrZone | string>;
  for (const zone of Object.values(zones)) {
    if (typeof zone !== "object" || !zone._alias || !zone._iana) continue;
    const icuName = zone._alias.split(" ")[0]!;
    if (icuName !== zone._iana) map.set(icuName, zone._iana);
  }
  return map;
})();

/** The current IANA name of a zone ICU calls by its CLDR ID (Asia/Calcutta → Asia/Kolkata). */
export function currentZoneName(icuName: string): string {
  return currentNames.get(icuName) ?? icuName;
}

let list: string[] | undefined;

/** Every zone this runtime knows, once each by its current IANA name, "UTC" (the default) first. */
export function timeZones(): string[] {
  list ??= [
    "UTC",
    ...Intl.supportedValuesOf("timeZone")
      .filter((zone) => zone !== "UTC")
      .map(currentZoneName)
      .sort(),
  ];
  return list;
}

/**
 * The picker's entry for a stored zone: a zone saved under another name (Asia/Calcutta before the
 * picker offered Asia/Kolkata, or US/Pacific from the assistant) shows as the same zone, selected,
 * rather than as an empty choice. A name ICU does not know is returned as it is.
 */
export function pickerZone(stored: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: stored }).resolvedOptions().timeZone;
  } catch (error) {
    if (error instanceof RangeError) return stored;
    throw error;
  }
  const name = currentZoneName(resolved);
  return timeZones().includes(name) ? name : stored;
}

/** A stored instant as the subscription pages show it (minutes, UTC), or "never". */
export const whenUtc = (iso: string | null): string => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never");

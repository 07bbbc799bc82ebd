import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

export const NonceProvider = NonceContext.Provider;

/** The per-request CSP nonce that every inline script must carry. */
export function useNonce(): string {
  return useContext(NonceContext);
}

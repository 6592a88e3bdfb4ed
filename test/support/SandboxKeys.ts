/** The sandbox's fixture API keys (src/sandbox/Fixtures.ts), for tests. */
export const ALICE_ACME = "lk_sandbox_alice_acme_4f1c9a7e2b"
export const ALICE_ALL = "lk_sandbox_alice_all_8d3e6b0c51"
export const BOB = "lk_sandbox_bob_initech_27a9f4d6c3"
export const ALICE_REVOKED = "lk_sandbox_alice_revoked_0b5e1d9f7a"

/** The in-process sandbox as `latchkey sandbox` runs it: latchkey's client id, title and key prefix. */
export const LATCHKEY_SANDBOX = { port: 0, clientId: "latchkey-cli", title: "latchkey sandbox", keyPrefix: "lk_" } as const

/** Moved to src/testing (the `latchkey/testing` entry); re-exported for the tests. */
export * from "../../src/testing/Drive.js"

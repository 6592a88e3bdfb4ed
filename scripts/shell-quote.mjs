// Quoting for the commands the demo prints, so that each can be pasted into a POSIX shell (and
// bash, zsh) as is: a word stays bare when it holds only characters no shell treats specially,
// else it goes in single quotes, with any single quote in it written '\''.
export const shellQuote = (word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)

/** This build's version: the same as package.json's (src/version.test.ts checks). */
export const VERSION = '0.1.0';

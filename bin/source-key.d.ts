/** The folders whose TypeScript goes into a build. */
export declare const SOURCE_DIRS: readonly string[];
/** The identity of the sources under `root` (see source-key.js). */
export declare function sourceKey(root: string): string;
/** Entry name → its TypeScript source; the build writes dist/<name>.js from it. */
export declare const BUILD_ENTRIES: { readonly fitlake: string; readonly start: string; readonly tasks: string };

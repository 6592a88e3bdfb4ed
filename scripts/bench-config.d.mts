export declare const KEY: string
export declare const TOKEN: string
export declare const write: (configDir: string) => void

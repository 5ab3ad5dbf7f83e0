export declare function beginKillPoints(): Promise<void>;
export declare function endKillPoints(): void;

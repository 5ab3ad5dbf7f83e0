export declare const SERVER_ENV: 'CAIRN_TEST_PG_SERVER';
/** A fresh, empty database on the test server (one server per jest run, or per process outside jest). */
export declare function createTestDatabase(prefix?: string): Promise<{ name: string; url: string }>;
export declare function testServerAddress(): Promise<{ host: string; port: number }>;
export declare function stopOwnServer(): Promise<void>;

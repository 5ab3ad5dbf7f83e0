export declare const TEST_SUPERUSER: 'cairn';
export declare function postgresBinDir(): string;
export declare function freePort(): Promise<number>;
export interface PostgresTestServer {
  host: string;
  port: number;
  socketDir: string;
  user: string;
  pid: number | undefined;
  url(database?: string): string;
  createDatabase(name?: string): string;
  stop(): Promise<void>;
}
export declare function startPostgresServer(options?: { port?: number; parentDir?: string; settings?: Record<string, string> }): Promise<PostgresTestServer>;

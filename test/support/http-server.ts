import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server listening on a loopback port. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Closes every connection, then the server. */
  close(): Promise<void>;
}

/** What {@link listenOnLoopback} needs of an app: Express's `listen`. */
export interface Listenable {
  listen(port: number, host: string, callback: (error?: Error) => void): http.Server;
}

/** Starts an app on an ephemeral 127.0.0.1 port. */
export async function listenOnLoopback(app: Listenable): Promise<RunningServer> {
  const server = await new Promise<http.Server>((resolve, reject) => {
    const started = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(started)));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

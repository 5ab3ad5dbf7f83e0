// `@cairn/gateway/testing`: a real gateway for other packages' end-to-end tests (client, cli).
export { startTestGateway, turnAppender, type TestGateway } from './gateway-fixture.js';
export { RpcSocket, type RpcAnswer, type RpcNotification } from './rpc-socket.js';
export { ManualClock } from '../tasks/clock.js';
export { deterministicBytes, sha256Hex, uploadFrame, writeDeterministicFile } from './transfer-bytes.js';

// `@cairn/gateway/testing`: a real gateway for other packages' end-to-end tests (client, cli).
export { startTestGateway } from './gateway-fixture.js';

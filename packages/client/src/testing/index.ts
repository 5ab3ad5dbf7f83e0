export { threadFixture, threadUpdated, workspaceFixture } from './fixtures.js';
export { rpcError, startScriptedPeer, waitFor, type PeerAnswer, type PeerConnection, type PeerHandler, type PeerRequest, type ScriptedPeer } from './scripted-peer.js';

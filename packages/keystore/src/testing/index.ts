// `@cairn/keystore/testing`: what the tests of a Keystore implementation, or of code that must
// keep secret values out of its files, need. Runs under Jest (the suite imports @jest/globals).
export { describeKeystoreContract, type KeystoreContractFactory, type KeystoreContractSubject } from './keystore-contract.js';
export { createManualClock, createTempHome } from './temp-home.js';
export { encodingsOf, listFiles, scanForBytes, scanForValues, type Finding } from './scan-home.js';

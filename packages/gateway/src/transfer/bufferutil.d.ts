// `bufferutil` ships no types; the gateway only checks that it loads (see ws-addons.ts).
declare module 'bufferutil';

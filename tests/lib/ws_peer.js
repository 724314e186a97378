// A WebSocket client from node-ws against netrig's server, for
// tests/peer/ws_peers.sh: every message comes back as sent (sizes across
// the length forms, text and binary, fragmented), ping, close codes, and
// the sink's count in its close frame. usage: node ws_peer.js PORT
'use strict';
const WebSocket = require('ws');
const crypto = require('crypto');

const port = process.argv[2];
const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, 300000];

function fail(what) {
    console.log('FAIL: ' + what);
    process.exit(1);
}

function open(path) {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket('ws://127.0.0.1:' + port + path, { perMessageDeflate: false });
        const queue = [];
        const waiters = [];
        ws.on('message', (data, isBinary) => {
            const m = { data, isBinary };
            if (waiters.length) waiters.shift()(m);
            else queue.push(m);
        });
        ws.next = () => new Promise((res) => (queue.length ? res(queue.shift()) : waiters.push(res)));
        ws.on('open', () => resolve(ws));
        ws.on('error', reject);
    });
}

function closed(ws) {
    return new Promise((res) => ws.on('close', (code, reason) => res([code, reason.toString()])));
}

async function echo() {
    const ws = await open('/ws/echo');
    for (const n of SIZES) {
        const b = crypto.randomBytes(n);
        ws.send(b, { binary: true });
        let m = await ws.next();
        if (!m.isBinary || !b.equals(m.data)) fail('binary ' + n + ' bytes came back different');
        const t = 'aé€𝄞'.repeat(Math.floor(n / 10));
        ws.send(t);
        m = await ws.next();
        if (m.isBinary || m.data.toString() !== t) fail('text of ' + t.length + ' characters came back different');
    }
    // A fragmented message: frames with fin false, then the last.
    const parts = [crypto.randomBytes(3), crypto.randomBytes(70000), crypto.randomBytes(126)];
    parts.forEach((p, i) => ws.send(p, { binary: true, fin: i === parts.length - 1 }));
    const m = await ws.next();
    if (!Buffer.concat(parts).equals(m.data)) fail('fragmented message came back different');
    const pong = new Promise((res) => ws.once('pong', res));
    ws.ping(Buffer.from('node-ping'));
    const p = await pong;
    if (p.toString() !== 'node-ping') fail('pong carried ' + p.toString());
    const c = closed(ws);
    ws.close(4002, 'node peer');
    const [code] = await c;
    if (code !== 4002) fail('close 4002 answered with ' + code);
}

async function sink() {
    const ws = await open('/ws/sink');
    let total = 0;
    for (const n of SIZES) {
        ws.send(crypto.randomBytes(n), { binary: true });
        total += n;
    }
    const c = closed(ws);
    ws.close(1000);
    const [code, reason] = await c;
    const want = 'msgs=' + SIZES.length + ' bytes=' + total;
    if (code !== 1000 || reason !== want) fail('sink closed with ' + code + ' "' + reason + '", want "' + want + '"');
}

(async () => {
    await echo();
    await sink();
    console.log('OK node-ws client');
    process.exit(0);
})().catch((e) => fail(String(e)));

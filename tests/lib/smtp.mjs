// smtp.mjs — a tiny SMTP server on loopback for the tests of mail (the
// reminders job), and a reader of the mails it keeps.
import { createServer } from 'node:net';

/**
 * A tiny SMTP server on loopback that keeps every message it is given:
 * 220, EHLO/HELO 250, MAIL/RCPT 250, DATA 354, "." 250, QUIT 221.
 */
export function smtpSink() {
  const mails = [];
  const state = { delay: 0, dataStarted: 0 }; // delay: ms before accepting a message
  const server = createServer((sock) => {
    let buf = '', inData = false, cur = null;
    sock.setEncoding('latin1');
    sock.write('220 sink.test ESMTP\r\n');
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (inData) {
          const end = buf.startsWith('.\r\n') ? -2 : buf.indexOf('\r\n.\r\n');
          if (end === -1) break;
          const data = end === -2 ? '' : buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          inData = false;
          const mail = { ...cur, data: Buffer.from(data.replace(/^\.\./gm, '.'), 'latin1').toString('utf8') };
          setTimeout(() => { mails.push(mail); sock.write('250 2.0.0 queued\r\n'); }, state.delay);
          continue;
        }
        const i = buf.indexOf('\r\n');
        if (i < 0) break;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') sock.write('250 sink.test\r\n');
        else if (verb === 'MAIL') { cur = { from: /<([^>]*)>/.exec(line)?.[1], rcpt: [], data: '' }; sock.write('250 2.1.0 ok\r\n'); }
        else if (verb === 'RCPT') { cur.rcpt.push(/<([^>]*)>/.exec(line)?.[1]); sock.write('250 2.1.5 ok\r\n'); }
        else if (verb === 'DATA') { inData = true; state.dataStarted++; sock.write('354 go ahead\r\n'); }
        else if (verb === 'QUIT') { sock.end('221 2.0.0 bye\r\n'); }
        else if (verb === 'RSET' || verb === 'NOOP') sock.write('250 ok\r\n');
        else sock.write('502 5.5.1 not here\r\n');
      }
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    port: server.address().port, mails, state, close: () => new Promise((done) => server.close(done)),
  })));
}

/** Headers (unfolded, lower-case names) and decoded text body of a mail. */
export function parseMail(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const subject = headers.subject.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  const body = Buffer.from(rest.join('\r\n\r\n').replace(/\s+/g, ''), 'base64').toString('utf8');
  return { headers, subject: subject.trim(), body };
}

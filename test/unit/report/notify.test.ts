import { describe, expect, it } from 'vitest';
import { notificationDocument, slackMessage } from '../../../src/report/notification-document.js';
import { notifyTiming, shownUrl } from '../../../src/report/notify.js';
import { Secrets } from '../../../src/util/redact.js';

describe('shownUrl: a webhook as warnings and history show it', () => {
  it('drops credentials, query and fragment, and hides secrets read from the environment', () => {
    expect(shownUrl('https://ops:pw@hooks.example.com:8443/etlx?token=abc#x', Secrets.none)).toBe('https://hooks.example.com:8443/etlx');
    expect(shownUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET', Secrets.of(['T000/B000/XXXXSECRET']))).toBe('https://hooks.slack.com/services/****');
    expect(shownUrl('{{env "HOOK_URL"}}', Secrets.none)).toBe('****');
    expect(shownUrl('not a url', Secrets.none)).toBe('(not a valid URL)');
  });
});

describe('notifyTiming', () => {
  it('is 10 s per try, 3 tries, 1 s backoff unless the test-only variables say otherwise', () => {
    expect(notifyTiming({})).toEqual({ timeoutMs: 10_000, commandTimeoutMs: 60_000, tries: 3, backoffMs: 1_000 });
    expect(notifyTiming({ ETLX_NOTIFY_TIMEOUT_MS: '250', ETLX_NOTIFY_BACKOFF_MS: '5' })).toMatchObject({ timeoutMs: 250, backoffMs: 5, tries: 3 });
    expect(notifyTiming({ ETLX_NOTIFY_TIMEOUT_MS: 'soon' }).timeoutMs).toBe(10_000);
  });
});

describe('the notification document', () => {
  const doc = notificationDocument({
    project: 'shop',
    target: 'prod',
    command: 'build',
    status: 'error',
    invocationId: 'inv-1',
    startedAt: '2026-11-30T02:00:00.000Z',
    completedAt: '2026-11-30T02:00:10.000Z',
    elapsed: 10,
    results: [
      { unique_id: 'test.shop.t', resource_type: 'test', name: 't', status: 'warn', timing: { elapsed: 0.1 }, message: '3 rows' },
      { unique_id: 'model.shop.b', resource_type: 'model', name: 'b', status: 'error', timing: { elapsed: 0.1 }, message: 'Binder Error: x\n  hint: y' },
      { unique_id: 'model.shop.a', resource_type: 'model', name: 'a', status: 'success', timing: { elapsed: 0.1 }, rows_affected: 5 },
      { unique_id: 'model.shop.c', resource_type: 'model', name: 'c', status: 'skipped', timing: { elapsed: 0 } },
    ],
    locate: (id) => (id === 'model.shop.b' ? { file: 'models/b.sql', line: 4 } : { file: null, line: null }),
  });

  it('counts by status and lists failures and warnings with file and line', () => {
    expect(doc).toEqual({
      schema: 'etlx/notification/v1',
      project: 'shop',
      target: 'prod',
      command: 'build',
      status: 'error',
      invocation_id: 'inv-1',
      started_at: '2026-11-30T02:00:00.000Z',
      completed_at: '2026-11-30T02:00:10.000Z',
      elapsed: 10,
      counts: { warn: 1, error: 1, success: 1, skipped: 1 },
      failures: [{ unique_id: 'model.shop.b', name: 'b', resource_type: 'model', status: 'error', message: 'Binder Error: x\n  hint: y', file: 'models/b.sql', line: 4 }],
      warnings: [{ unique_id: 'test.shop.t', name: 't', resource_type: 'test', status: 'warn', message: '3 rows', file: null, line: null }],
    });
  });

  it('as Slack text: the outcome, then each failure and warning on a line', () => {
    expect(slackMessage(doc).text).toBe(
      [
        'etlx build of shop on prod: error in 10.0s (1 warn, 1 error, 1 success, 1 skipped)',
        '• failed: model b (models/b.sql:4): Binder Error: x',
        '• warning: test t: 3 rows',
      ].join('\n'),
    );
  });
});

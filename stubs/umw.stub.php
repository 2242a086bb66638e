<?php

// Stubs for umw

namespace {
    const UMW_EVENTS_PER_WEBHOOK_MAX = 100;

    const UMW_EVENT_NAME_MAX_LENGTH = 100;

    const UMW_EVENT_NAME_PATTERN = '/^[A-Za-z0-9_.:\\/-]{1,100}$/D';

    const UMW_HEADERS_MAX = 32;

    const UMW_LIST_LIMIT_MAX = 1000;

    const UMW_SECRET_PREFIX = 'whsec_';

    const UMW_URL_MAX_BYTES = 2048;

    const UMW_VERSION = '0.1.0';

    const UMW_WEBHOOK_NAME_MAX_LENGTH = 191;

    const UMW_WILDCARD = '*';

    /**
     * How many deliveries match a filter (the keys of umw_deliveries() but limit/offset/with_payload).
     *
     * @param array|null $filter
     * @return int
     */
    function umw_count_deliveries(?array $filter = null): int {}

    /**
     * Delete a webhook with its delivery log (deliveries, attempts, payloads only it used); false
     * when it did not exist.
     *
     * @param int $id
     * @return bool
     */
    function umw_delete_webhook(int $id): bool {}

    /**
     * The delivery log, newest first; payloads only with `'with_payload' => true`.
     *
     * @param array|null $filter
     * @return list<array{id: string, message_id: string, webhook_id: int, event: string, status: 'pending'|'retrying'|'delivered'|'failed', is_test: bool, attempts: list<array{time: float, url: ?string, request_headers: array<string, string>, status_code: ?int, duration_ms: float, error: ?string, response_headers: array<string, string>, response_body: string}>, next_attempt_at: ?int, in_flight: bool, created_at: int, payload?: string}>
     */
    function umw_deliveries(?array $filter = null): array {}

    /**
     * Attempts per time bucket (delivered / will retry / failed for good), success rate and
     * response-time percentiles; options `webhook_id`, `since`, `until` (Unix times), `bucket`
     * (seconds, a multiple of 3600). Test sends are left out.
     *
     * @param array|null $options
     * @return array{since: int, until: int, bucket_seconds: int, buckets: list<array{start: int, delivered: int, retrying: int, failed: int, attempts: int, p50_ms: ?float, p95_ms: ?float}>, totals: array{delivered: int, retrying: int, failed: int, attempts: int, p50_ms: ?float, p95_ms: ?float, success_rate: ?float}}
     */
    function umw_delivery_stats(?array $options = null): array {}

    /**
     * Emit an event: converts the payload now, delivers in the background. Returns the message id.
     * Options: `network_id` (the network the event happened on; only its webhooks receive it,
     * default 1).
     *
     * @param string $event
     * @param array $payload
     * @param array|null $options
     * @return string
     */
    function umw_emit(string $event, array $payload, ?array $options = null): string {}

    /**
     * The event catalog, keyed by event name.
     *
     * @return array<string, array{name: string, label: string, description: string, sample: array<string, mixed>, source: string, origin: string, fired: ?bool}>
     */
    function umw_event_types(): array {}

    /**
     * Wait until everything this process emitted is persisted and had its first attempt.
     *
     * @param float $timeout
     * @return bool
     */
    function umw_flush(float $timeout = 5.0): bool {}

    /**
     * One delivery with its attempts and payload, or null.
     *
     * @param string $delivery_id
     * @return array{id: string, message_id: string, webhook_id: int, event: string, status: 'pending'|'retrying'|'delivered'|'failed', is_test: bool, attempts: list<array{time: float, url: ?string, request_headers: array<string, string>, status_code: ?int, duration_ms: float, error: ?string, response_headers: array<string, string>, response_body: string}>, next_attempt_at: ?int, in_flight: bool, created_at: int, payload?: string}|null
     */
    function umw_get_delivery(string $delivery_id): ?array {}

    /**
     * A webhook by id, or null. The secret only with `$with_secret = true`.
     *
     * @param int $id
     * @param bool $with_secret
     * @return array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}|null
     */
    function umw_get_webhook(int $id, bool $with_secret = false): ?array {}

    /**
     * Webhooks, optionally filtered by `event`, `active`, `network_id` and `external_id`.
     *
     * @param array|null $filter
     * @return list<array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}>
     */
    function umw_list_webhooks(?array $filter = null): array {}

    /**
     * Remove delivered and failed deliveries older than `older_than_days` (default
     * umw.retention_days), their attempts and payloads nothing else uses; returns what went.
     *
     * @param array|null $options
     * @return array{older_than_days: int, deliveries: int, attempts: int, messages: int}
     */
    function umw_prune(?array $options = null): array {}

    /**
     * Queue a delivery again, now (its history is kept). False when it does not exist.
     *
     * @param string $delivery_id
     * @return bool
     */
    function umw_redeliver(string $delivery_id): bool {}

    /**
     * Add an event type to this process's catalog (plugins call this on every request), or
     * replace the one with the same name.
     *
     * @param string $event
     * @param array $info
     * @return void
     */
    function umw_register_event_type(string $event, array $info): void {}

    /**
     * Register a webhook; returns its id.
     *
     * @param array $webhook
     * @return int
     */
    function umw_register_webhook(array $webhook): int {}

    /**
     * Re-queue a webhook's failed deliveries created since a Unix time (never test sends); returns
     * how many. The webhook must be active and not disabled.
     *
     * @param int $webhook_id
     * @param int $since_unix_time
     * @return int
     */
    function umw_replay(int $webhook_id, int $since_unix_time): int {}

    /**
     * Replace the signing secret (generated when null); the old one keeps signing for 24 h.
     *
     * @param int $webhook_id
     * @param string|null $new_secret
     * @return string
     */
    function umw_rotate_secret(int $webhook_id, ?string $new_secret = null): string {}

    /**
     * Every rule the extension applies to webhooks, events, headers and secrets, with the settings
     * table (name, default, type, bounds, what it does): the one source the plugin checks against.
     *
     * @return array<string, mixed>
     */
    function umw_rules(): array {}

    /**
     * Deliver once, now, and report what the endpoint answered.
     *
     * @param int $webhook_id
     * @param string|null $event
     * @param array|null $payload
     * @return array{ok: bool, event: string, status: ?int, headers: array<string, string>, body: string, duration_ms: float, error: ?string, delivery_id: string, message_id: string}
     */
    function umw_send_test_event(int $webhook_id, ?string $event = null, ?array $payload = null): array {}

    /**
     * Counters of this process and of the store, the store's health and the runtime state.
     *
     * @return array{version: string, pid: int, runtime: string, uptime_seconds: float, store: array{backend: string, location: string, schema_version: int, private: bool, warnings: list<string>}, delivery: array{mode: 'embedded'|'agent', fallback: ?string, agent: array{alive: bool, last_heartbeat: ?float, pid: ?int, host: ?string, version: ?string, backlog_bytes: ?int, delivered: ?int}, spool: array{dir: string, segments: int, bytes: int}}, backlog: array{due: int, oldest_created_at: ?int}, emitted: int, queued: int, in_flight: int, delivered: int, retrying: int, failed: int, store_errors: int, last_error: ?string, store_counts: array{webhooks: int, pending: int, retrying: int, delivered: int, failed: int}}
     */
    function umw_stats(): array {}

    /**
     * Copy this network's store (`umw.store`) into the store `$to` names — an absolute SQLite path,
     * a `mysql://` URL, or `env:NAME` / `file:/path` holding one, as `umw.store` accepts: webhooks
     * with their ids and secrets (the previous secret and its grace period too), waiting deliveries
     * with their messages and earlier attempts, the hourly statistics and, with `with_log`, the
     * finished deliveries with their attempts. One batch per call: call again with the returned
     * `cursor` until `done`. Safe to repeat: what is already there is skipped. Never prints a
     * password (`from` and `to` are shown without it).
     *
     * Options: `with_log` (bool, default false), `with_stats` (bool, default true), `batch` (rows
     * per call, 1 to 5000, default 500), `cursor` (from the previous call; absent or null to start).
     *
     * @param string $to
     * @param array|null $options
     * @return array{from: string, to: string, webhooks: int, messages: int, deliveries: int, attempts: int, stats: int, skipped: int, copied: int, position: int, total: int, cursor: ?string, done: bool}
     */
    function umw_store_copy(string $to, ?array $options = null): array {}

    /**
     * Change some fields of a webhook (only those given, atomically); returns the updated webhook.
     *
     * @param int $id
     * @param array $changes
     * @return array{id: int, network_id: int, external_id: ?string, name: string, url: string, events: list<string>, active: bool, format: 'flat'|'envelope', headers: array<string, string>, created_at: int, updated_at: int, disabled_at: ?int, disabled_reason: ?string, delivered_count: int, failed_count: int, last_delivery_at: ?int, last_status: ?string, last_status_code: ?int, secret?: string}
     */
    function umw_update_webhook(int $id, array $changes): array {}

    /**
     * Run due deliveries in the foreground (for hosts without long-lived PHP workers).
     *
     * @param float $seconds
     * @return array{attempted: int, delivered: int, failed: int, retrying: int, remaining: int}
     */
    function umw_work(float $seconds = 0.0): array {}
}

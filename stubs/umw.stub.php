<?php

// Stubs for umw

namespace {
    /**
     * Delete a webhook and its delivery log; false when it did not exist.
     *
     * @param int $id
     * @return bool
     */
    function umw_delete_webhook(int $id): bool {}

    /**
     * The delivery log, newest first.
     *
     * @param array|null $filter
     * @return mixed
     */
    function umw_deliveries(?array $filter = null): mixed {}

    /**
     * Emit an event: converts the payload now, delivers in the background. Returns the message id.
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
     * @return mixed
     */
    function umw_event_types(): mixed {}

    /**
     * Wait until everything this process emitted is persisted and had its first attempt.
     *
     * @param float $timeout
     * @return bool
     */
    function umw_flush(float $timeout = 5.0): bool {}

    /**
     * One delivery with its attempts, or null.
     *
     * @param string $delivery_id
     * @return mixed
     */
    function umw_get_delivery(string $delivery_id): mixed {}

    /**
     * A webhook by id, or null. The secret only with `$with_secret = true`.
     *
     * @param int $id
     * @param bool $with_secret
     * @return mixed
     */
    function umw_get_webhook(int $id, bool $with_secret = false): mixed {}

    /**
     * Webhooks, optionally filtered by `event` and `active`.
     *
     * @param array|null $filter
     * @return mixed
     */
    function umw_list_webhooks(?array $filter = null): mixed {}

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
     * Re-queue a webhook's failed deliveries created since a Unix time; returns how many.
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
     * Deliver once, now, and report what the endpoint answered.
     *
     * @param int $webhook_id
     * @param string|null $event
     * @param array|null $payload
     * @return mixed
     */
    function umw_send_test_event(int $webhook_id, ?string $event = null, ?array $payload = null): mixed {}

    /**
     * Counters of this process and of the store, and the runtime state.
     *
     * @return mixed
     */
    function umw_stats(): mixed {}

    /**
     * Change some fields of a webhook; returns the updated webhook.
     *
     * @param int $id
     * @param array $changes
     * @return mixed
     */
    function umw_update_webhook(int $id, array $changes): mixed {}

    /**
     * Run due deliveries in the foreground (for hosts without long-lived PHP workers).
     *
     * @param float $seconds
     * @return mixed
     */
    function umw_work(float $seconds = 0.0): mixed {}
}

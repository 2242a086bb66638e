<?php
/**
 * Plugin Name: umw benchmark page
 * Description: Copied by bench/sections/wordpress.sh into the throw-away WordPress of the benchmark only.
 *              `/?umw_bench=1` fires one Ultimate Multisite event the way UM's own code does
 *              (wu_do_event: `wu_event`, then `wu_event_payment_received`, where UM's inline sender or umw's
 *              bridge takes it), with UM's own sample payload, then the front page renders as usual.
 *              What the event cost the request (µs, wall clock) is appended to UMW_BENCH_EVENT_LOG when set.
 */

add_action(
	'wp_loaded',
	static function () {
		if ( ! isset( $_GET['umw_bench'] ) || ! function_exists( 'wu_do_event' ) ) { // phpcs:ignore WordPress.Security.NonceVerification
			return;
		}
		$event = wu_get_event_type( 'payment_received' );
		if ( $event ) {
			$payload = wu_maybe_lazy_load_payload( $event['payload'] );
			$started = hrtime( true );
			wu_do_event( 'payment_received', $payload );
			$log = getenv( 'UMW_BENCH_EVENT_LOG' );
			if ( $log ) {
				file_put_contents( $log, intdiv( hrtime( true ) - $started, 1000 ) . "\n", FILE_APPEND );
			}
		}
	}
);

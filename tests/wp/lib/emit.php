<?php
// tests/wp/wp-php.sh lib/emit.php <blog_id> <event> [marker] [bridge|direct] [flush_seconds]
// Emits an event from the given site, as Ultimate Multisite does (do_action('wu_event', ...), "bridge") or with
// umw_emit() ("direct"), then waits up to flush_seconds for the queue to drain (umw_flush). Prints JSON.
$umw_em_blog   = (int) ( $argv[1] ?? 1 );
$umw_em_event  = $argv[2] ?? 'payment_received';
$umw_em_marker = $argv[3] ?? '';
$umw_em_mode   = $argv[4] ?? 'bridge';
$umw_em_flush  = (float) ( $argv[5] ?? 0 );
require getenv( 'WP_DIR' ) . '/wp-load.php';
if ( ! function_exists( 'umw_emit' ) ) { fwrite( STDERR, "umw extension not loaded\n" ); exit( 2 ); }
switch_to_blog( $umw_em_blog );
$umw_em_types   = umw_event_types();
$umw_em_payload = (array) ( $umw_em_types[ $umw_em_event ]['sample'] ?? array() );
$umw_em_payload['umw_test_marker']  = $umw_em_marker;
$umw_em_payload['umw_test_blog_id'] = get_current_blog_id();
$umw_em_id = null;
if ( 'direct' === $umw_em_mode ) {
	$umw_em_id = umw_emit( $umw_em_event, $umw_em_payload );
} else {
	do_action( 'wu_event', $umw_em_event, $umw_em_payload );
}
$umw_em_flushed = $umw_em_flush > 0 ? umw_flush( $umw_em_flush ) : null;
restore_current_blog();
echo json_encode( array( 'blog_id' => $umw_em_blog, 'event' => $umw_em_event, 'marker' => $umw_em_marker, 'message_id' => $umw_em_id, 'flushed' => $umw_em_flushed ) ), "\n";

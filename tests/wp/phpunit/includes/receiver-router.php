<?php
// Router for `php -S`: records every request as a JSON line in $UMW_RECEIVER_LOG and answers by path:
//   /ok (default) 200 {"received":true}, /fail 500, /gone 410, /slow 200 after 2 s.
$log  = getenv( 'UMW_RECEIVER_LOG' );
$path = parse_url( $_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH );
$body = file_get_contents( 'php://input' );
$headers = array();
foreach ( getallheaders() as $k => $v ) {
	$headers[ strtolower( $k ) ] = $v;
}
file_put_contents(
	$log,
	json_encode( array( 'method' => $_SERVER['REQUEST_METHOD'], 'path' => $path, 'headers' => $headers, 'body' => $body, 'time' => microtime( true ) ) ) . "\n",
	FILE_APPEND | LOCK_EX
);
header( 'Content-Type: application/json' );
header( 'X-Receiver: umw-phpunit' );
switch ( $path ) {
	case '/fail':
		http_response_code( 500 );
		echo '{"error":"<b>boom</b>"}';
		break;
	case '/gone':
		http_response_code( 410 );
		echo '{"error":"gone"}';
		break;
	case '/slow':
		sleep( 2 );
		echo '{"received":true,"slow":true}';
		break;
	default:
		echo '{"received":true}';
}

<?php
// tests/wp/wp-php.sh lib/app-password.php <login> [name]  -> {"user":..., "password":..., "uuid":...}
$umw_ap_login = $argv[1] ?? 'admin';
$umw_ap_name  = ( $argv[2] ?? 'umw-tests' ) . '-' . bin2hex( random_bytes( 4 ) );
require getenv( 'WP_DIR' ) . '/wp-load.php';
$umw_ap_user = get_user_by( 'login', $umw_ap_login );
if ( ! $umw_ap_user ) { fwrite( STDERR, "no user $umw_ap_login\n" ); exit( 1 ); }
$umw_ap = WP_Application_Passwords::create_new_application_password( $umw_ap_user->ID, array( 'name' => $umw_ap_name ) );
if ( is_wp_error( $umw_ap ) ) { fwrite( STDERR, $umw_ap->get_error_message() . "\n" ); exit( 1 ); }
echo json_encode( array( 'user' => $umw_ap_login, 'password' => $umw_ap[0], 'uuid' => $umw_ap[1]['uuid'] ) ), "\n";

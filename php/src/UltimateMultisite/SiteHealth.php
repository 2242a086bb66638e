<?php
/**
 * Site Health (Tools → Site Health on the main site) test: are Ultimate Multisite's webhooks all sent by umw?
 *
 * @package Umw
 */

namespace Umw\UltimateMultisite;

defined( 'ABSPATH' ) || exit;

final class SiteHealth {

	public const TEST = 'umw_ultimate_multisite';

	public static function register(): void {
		add_filter( 'site_status_tests', array( self::class, 'add' ) );
	}

	/**
	 * @param array<string,mixed> $tests
	 * @return array<string,mixed>
	 */
	public static function add( $tests ) {
		$tests                         = is_array( $tests ) ? $tests : array();
		$tests['direct'][ self::TEST ] = array(
			'label' => __( 'Ultimate Multisite webhooks are sent by umw', 'umw' ),
			'test'  => array( self::class, 'run' ),
		);
		return $tests;
	}

	/**
	 * @return array<string,mixed> a Site Health result
	 */
	public static function run(): array {
		$network_id = (int) get_current_network_id();
		$result     = array(
			'label'       => __( 'Ultimate Multisite webhooks are sent by umw', 'umw' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Webhooks', 'umw' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => sprintf( '<a href="%s">%s</a>', esc_url( network_admin_url( 'admin.php?page=umw-webhooks' ) ), esc_html__( 'Network Admin → Webhooks', 'umw' ) ),
			'test'        => self::TEST,
		);
		if ( ! Settings::um_active() && ! ( new WebhooksTable( $network_id ) )->exists() ) {
			$result['description'] = '<p>' . esc_html__( 'Ultimate Multisite is not active on this network: nothing to do.', 'umw' ) . '</p>';
			return $result;
		}
		if ( ! Settings::bridge_enabled( $network_id ) ) {
			$result['status']      = 'recommended';
			$result['label']       = __( 'Ultimate Multisite sends its webhooks inline', 'umw' );
			$result['description'] = '<p>' . esc_html__( 'umw is turned off for Ultimate Multisite on this network, so Ultimate Multisite posts each webhook inside the request that fired it: no retries, no signatures, and the visitor waits for every endpoint.', 'umw' ) . '</p>';
			return $result;
		}
		$sync     = Dispatch::sync( $network_id );
		$status   = Status::get( $network_id ) ?? array();
		$findings = Report::findings( $status );
		if ( $sync ) {
			$findings = array_merge( $findings, Report::unfired_subscriptions( $sync->rows ) );
		}
		if ( ! $findings ) {
			$result['description'] = '<p>' . esc_html__( 'Every Ultimate Multisite webhook of this network is delivered by umw.', 'umw' ) . '</p>';
			return $result;
		}
		$result['status']      = null === $sync ? 'critical' : 'recommended';
		$result['label']       = __( 'Some Ultimate Multisite webhooks need attention', 'umw' );
		$result['description'] = '<ul>' . implode( '', array_map( static fn( $line ) => '<li>' . esc_html( $line ) . '</li>', $findings ) ) . '</ul>';
		return $result;
	}
}

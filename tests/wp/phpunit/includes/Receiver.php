<?php
/**
 * A local webhook receiver: `php -S 127.0.0.1:<free port>` with receiver-router.php, started and
 * stopped (by its own process handle) by the tests.
 */

namespace Umw\Tests;

final class Receiver {

	private $process;
	public int $port;
	public string $log;

	public static function start(): self {
		$r       = new self();
		$r->log  = tempnam( sys_get_temp_dir(), 'umw-receiver-' );
		$sock    = stream_socket_server( 'tcp://127.0.0.1:0' );
		$name    = stream_socket_get_name( $sock, false );
		fclose( $sock );
		$r->port = (int) substr( (string) strrchr( $name, ':' ), 1 );
		$env     = array_merge( getenv(), array( 'UMW_RECEIVER_LOG' => $r->log ) );
		$r->process = proc_open(
			array( PHP_BINARY, '-n', '-S', '127.0.0.1:' . $r->port, __DIR__ . '/receiver-router.php' ),
			array( 0 => array( 'file', '/dev/null', 'r' ), 1 => array( 'file', '/dev/null', 'w' ), 2 => array( 'file', '/dev/null', 'w' ) ),
			$pipes,
			null,
			$env
		);
		for ( $i = 0; $i < 100; $i++ ) {
			$c = @fsockopen( '127.0.0.1', $r->port, $errno, $errstr, 0.1 );
			if ( $c ) {
				fclose( $c );
				return $r;
			}
			usleep( 50000 );
		}
		$r->stop();
		throw new \RuntimeException( 'receiver did not start' );
	}

	public function url( string $path = '/ok' ): string {
		return 'http://127.0.0.1:' . $this->port . $path;
	}

	/**
	 * @return list<array{method:string,path:string,headers:array<string,string>,body:string}>
	 */
	public function requests(): array {
		$out = array();
		foreach ( file( $this->log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) ?: array() as $line ) {
			$out[] = json_decode( $line, true );
		}
		return $out;
	}

	/**
	 * Wait until a request matching $match arrives (or timeout).
	 *
	 * @param callable(array):bool $match
	 */
	public function wait_for( callable $match, float $timeout = 10.0 ): ?array {
		$end = microtime( true ) + $timeout;
		do {
			foreach ( $this->requests() as $req ) {
				if ( $match( $req ) ) {
					return $req;
				}
			}
			usleep( 100000 );
		} while ( microtime( true ) < $end );
		return null;
	}

	public function stop(): void {
		if ( is_resource( $this->process ) ) {
			proc_terminate( $this->process );
			proc_close( $this->process );
		}
		$this->process = null;
		if ( is_file( $this->log ) ) {
			unlink( $this->log );
		}
	}

	public function __destruct() {
		$this->stop();
	}
}

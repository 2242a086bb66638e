<?php
/**
 * One local receiver per test class (started before its first test, stopped after its last).
 */

namespace Umw\Tests;

trait WithReceiver {

	private static ?Receiver $receiver = null;

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		self::$receiver = Receiver::start();
	}

	public static function tearDownAfterClass(): void {
		self::$receiver?->stop();
		self::$receiver = null;
		parent::tearDownAfterClass();
	}
}

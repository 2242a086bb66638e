<?php
// The few WordPress core functions WP_Http::request() calls that live in files too large to
// load standalone (functions.php, load.php, kses.php, general-template.php). Behaviour-equivalent
// for the inputs the benchmark passes.
function __($t, $d = 'default') { return $t; }
function is_wp_error($t) { return $t instanceof WP_Error; }
function wp_parse_args($args, $defaults = array()) {
    if (is_object($args)) $args = get_object_vars($args);
    elseif (!is_array($args)) { parse_str((string)$args, $a); $args = $a; }
    return array_merge($defaults, $args);
}
function get_bloginfo($show = '', $filter = 'raw') { return $show === 'version' ? '6.1' : 'http://localhost'; }
function home_url($path = '') { return 'http://localhost' . $path; }
function get_option($o, $d = false) { return $d; }
function wp_kses_bad_protocol($s, $p) { return $s; }
function mbstring_binary_safe_encoding($reset = false) {}
function reset_mbstring_encoding() {}
function wp_is_writable($p) { return is_writable($p); }
function get_temp_dir() { return sys_get_temp_dir() . '/'; }
function get_status_header_desc($c) { return ''; }
function wp_debug_backtrace_summary() { return ''; }
function _doing_it_wrong($f, $m, $v) {}
function absint($n) { return abs((int)$n); }

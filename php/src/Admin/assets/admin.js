/* umw network admin: confirmations, busy buttons, the events summary, the sample preview, dismissing the disabled-webhooks notice. No dependencies. */
( function () {
	'use strict';
	var l10n = window.umwAdmin || {};
	function fmt( text, value ) {
		return String( text || '' ).replace( /%[ds]/, value );
	}

	// Links and buttons that need a yes first (data-confirm holds the question).
	document.addEventListener( 'click', function ( e ) {
		var el = e.target.closest && e.target.closest( '.umw-confirm[data-confirm]' );
		if ( el && ! window.confirm( el.getAttribute( 'data-confirm' ) ) ) {
			e.preventDefault();
		}
	} );

	// Bulk Delete on the webhooks list: say how many and that their logs go too.
	var bulk = document.getElementById( 'umw-webhooks-form' );
	if ( bulk ) {
		bulk.addEventListener( 'submit', function ( e ) {
			var submitter = e.submitter || document.activeElement;
			var which = submitter && submitter.id === 'doaction2' ? 'action2' : 'action';
			var select = bulk.querySelector( 'select[name="' + which + '"]' );
			if ( ! select || select.value !== 'delete' ) {
				return;
			}
			var n = bulk.querySelectorAll( 'input[name="webhook[]"]:checked' ).length;
			if ( n === 0 ) {
				return; // The server answers "No webhooks selected".
			}
			if ( ! window.confirm( fmt( l10n.confirmBulk, n ) ) ) {
				e.preventDefault();
			}
		} );
	}

	// Forms that wait for an endpoint: disable the button, show a spinner and say why.
	document.querySelectorAll( 'form.umw-busy-form' ).forEach( function ( form ) {
		form.addEventListener( 'submit', function () {
			form.querySelectorAll( '[type=submit]' ).forEach( function ( b ) {
				b.disabled = true;
			} );
			var spinner = form.querySelector( '.spinner' );
			if ( spinner ) {
				spinner.classList.add( 'is-active' );
			}
			var text = form.querySelector( '.umw-busy-text' );
			if ( text ) {
				text.textContent = l10n.sending || '';
			}
			form.classList.add( 'umw-busy' );
		} );
	} );

	// The webhook form: what is selected, and the sample as the receiver will get it.
	var events = document.getElementById( 'webhook_events' );
	var summary = document.getElementById( 'umw-events-summary' );
	var select = document.getElementById( 'umw-preview-event' );
	var pre = document.getElementById( 'umw-sample-preview' );
	var samplesEl = document.getElementById( 'umw-samples' );
	var samples = samplesEl ? JSON.parse( samplesEl.textContent || '{}' ) : {};
	function format() {
		var checked = document.querySelector( 'input[name="webhook_format"]:checked' );
		return checked ? checked.value : 'flat';
	}
	function preview( event ) {
		if ( ! select || ! pre || ! Object.prototype.hasOwnProperty.call( samples, event ) ) {
			return;
		}
		select.value = event;
		var body = samples[ event ];
		if ( format() === 'envelope' ) {
			body = { type: event, timestamp: new Date().toISOString().replace( /\.\d+Z$/, 'Z' ), data: body };
		}
		pre.textContent = JSON.stringify( body, null, 4 );
	}
	function summarise() {
		if ( ! events || ! summary ) {
			return;
		}
		var all = events.querySelector( 'input[value="*"]' );
		events.classList.toggle( 'umw-all-selected', !! ( all && all.checked ) );
		var names = [];
		events.querySelectorAll( 'input[type=checkbox]:checked' ).forEach( function ( box ) {
			names.push( box.value === '*' ? l10n.allEvents : ( box.getAttribute( 'data-label' ) || box.value ) );
		} );
		summary.textContent = fmt( l10n.selectedEvents, names.length ? names.join( ', ' ) : l10n.noneChosen );
	}
	if ( events ) {
		events.addEventListener( 'change', function ( e ) {
			summarise();
			if ( e.target.checked && e.target.value !== '*' ) {
				preview( e.target.value );
			}
		} );
		summarise();
	}
	if ( select ) {
		select.addEventListener( 'change', function () {
			preview( select.value );
		} );
		document.querySelectorAll( 'input[name="webhook_format"]' ).forEach( function ( radio ) {
			radio.addEventListener( 'change', function () {
				preview( select.value );
			} );
		} );
	}

	// The disabled-webhooks notice: WordPress adds the × button; remember the dismissal.
	document.addEventListener( 'click', function ( e ) {
		var button = e.target.closest && e.target.closest( '#umw-disabled-notice .notice-dismiss' );
		if ( ! button || ! l10n.ajaxUrl ) {
			return;
		}
		var notice = document.getElementById( 'umw-disabled-notice' );
		var body = new URLSearchParams( { action: 'umw_dismiss_disabled', nonce: notice ? notice.getAttribute( 'data-nonce' ) : '' } );
		fetch( l10n.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } );
	} );
}() );

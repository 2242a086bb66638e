# The README's commands. Each installs what it needs when missing.
.PHONY: demo test bench soak stubs lint deb

demo:   ## build the extension and watch a webhook arrive at a local receiver
	bash scripts/demo.sh

test:   ## every test suite (unit, integration, faults, stubs, WordPress, bench smoke)
	bash tests/run.sh

bench:  ## the benchmark table against the baselines
	bash bench/run.sh

soak:   ## the long fault-injection suite
	UMW_SOAK=1 cargo test --release --test faults -- --nocapture --test-threads=1

deb:    ## the Debian package: extension (phpenmod for FPM and CLI), umw-agent and its systemd unit
	bash scripts/build-deb.sh

stubs:  ## regenerate stubs/umw.stub.php
	bash scripts/stubs.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

"""The built-in sandbox: Twilio's API faked in-process, and a phone simulator.

Enabled by OCC_SANDBOX (scripts/run.sh turns it on; occ.production always
off). The fake is the same `whatsapp.fake_twilio.FakeTwilio` the tests use;
the simulator reaches the application exactly as Twilio does, with signed
webhooks over HTTP to OCC_PUBLIC_BASE_URL.
"""

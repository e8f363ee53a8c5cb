"""apicsim: a local Cisco APIC simulator speaking the APIC REST and websocket subscription protocol."""

# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fabricops.aci.websocket: Cisco APIC websocket subscriptions as Event-Driven Ansible events.

A thin shell: ansible-rulebook loads this file with runpy.run_path, so it cannot use relative imports.
It finds the folder that holds ``ansible_collections/`` by walking up from its own path (symlinks are
not resolved, so a development tree linked into a collections folder works too), puts that folder on
sys.path, and runs the source from plugins/module_utils/event_source/.
"""

DOCUMENTATION = r"""
---
short_description: Receive Cisco APIC object changes (websocket subscriptions) as events
description:
  - An ansible-rulebook event source that logs in to a Cisco APIC, opens its websocket, subscribes to
    classes, DNs or API queries, and emits one event per changed object.
  - Keeps the session (C(aaaRefresh) driven by the APIC's C(refreshTimeoutSeconds)) and every subscription
    (C(subscriptionRefresh) well before its C(refresh-timeout)) alive, each refresh in its own task.
  - On any drop (socket, session expiry, refused refresh, APIC failover) it reconnects with jittered
    exponential backoff, fails over across the O(host) list, resubscribes everything, and reconciles a fresh
    snapshot with the state the rule engine last received, emitting every change it missed or could not
    hand over with C(event.aci.recovered=true).
  - "Delivery guarantee: a change the APIC committed reaches the rule engine at least once, across drops,
    session expiry, failover, restarts and C(kill -9). The state the source remembers advances only when an
    event has been handed over (or, with O(feedback), confirmed by the engine), and it is kept in a durable
    checkpoint (O(checkpoint)), so a restarted source emits exactly the changes made while it was down."
  - "Duplicates happen only for events the engine had not confirmed: in feedback mode those handed over but
    not confirmed when the source stopped; otherwise those handed over in the last O(checkpoint) write
    interval (0.2 s) before a C(kill -9). A duplicate carries the same C(meta.uuid) as the first delivery
    whenever the object did not change again in between."
  - TLS is verified by default. Passwords, private keys and session tokens never appear in logs or events.
  - Every event field is described in the collection's docs/event_reference.md.
options:
  host:
    description:
      - The APIC address, or a list of APIC cluster members tried in turn and on failure.
      - Each entry is a host name or address, optionally with a port (V(apic1:8443), V([2001:db8::1]:443)).
      - Comma-separated text is accepted too. Falls back to E(ACI_HOST).
    type: list
    elements: str
    required: true
    aliases: [hostname]
  port:
    description:
      - Port of the APIC when an O(host) entry has none. Falls back to E(ACI_PORT).
      - Default is 443, or 80 with O(use_ssl=false).
    type: int
  username:
    description:
      - User to log in as (V(apic#DOMAIN\\user) for a login domain), or the certificate user.
      - Falls back to E(ACI_USERNAME), then E(ANSIBLE_NET_USERNAME).
    type: str
    default: admin
    aliases: [user]
  password:
    description:
      - Password for password login. Falls back to E(ACI_PASSWORD), then E(ANSIBLE_NET_PASSWORD).
      - One of O(password) and O(private_key) is required; O(private_key) wins when both are set.
    type: str
  private_key:
    description:
      - RSA private key (PEM text or the path to a PEM file) of a certificate user. The source then holds
        its websocket session through C(webtokenSession) and signs every request.
      - Falls back to E(ACI_PRIVATE_KEY), then E(ANSIBLE_NET_SSH_KEYFILE).
    type: str
    aliases: [cert_key]
  certificate_name:
    description:
      - Name of the certificate registered on the APIC user. Falls back to E(ACI_CERTIFICATE_NAME).
      - Default is the base name of the O(private_key) file, or O(username) when the key is PEM text.
    type: str
    aliases: [cert_name]
  validate_certs:
    description:
      - Verify the APIC's TLS certificate and host name. Falls back to E(ACI_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file (or directory of hashed PEM files) of the CA that signed the APIC certificate.
        Falls back to E(ACI_CA_PATH).
      - Default is the system trust store.
    type: str
  use_ssl:
    description:
      - Use HTTPS and WSS. Falls back to E(ACI_USE_SSL).
    type: bool
    default: true
  use_proxy:
    description:
      - Use a proxy from the environment (C(https_proxy) and friends). Falls back to E(ACI_USE_PROXY).
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each answer from the APIC. Falls back to E(ACI_TIMEOUT).
    type: int
    default: 30
  subscriptions:
    description:
      - What to subscribe to. All subscriptions share one websocket.
      - A bare string is a class subscription named after the class (V(fvTenant)).
      - Comma-separated class names, or a JSON list, are accepted as text (for C(--env-vars)).
    type: list
    elements: raw
    required: true
    suboptions:
      name:
        description:
          - Name of the subscription, reported in C(event.aci.subscription). Must be unique.
          - Default is the class, DN or path.
        type: str
      class:
        description:
          - Subscribe to every object of this class (C(/api/class/<class>.json)).
          - Exactly one of O(subscriptions[].class), O(subscriptions[].dn) and O(subscriptions[].path) is required.
        type: str
      dn:
        description:
          - Subscribe to one object, or with O(subscriptions[].query_target) to its children or subtree
            (C(/api/mo/<dn>.json)).
        type: str
      path:
        description:
          - A raw API path with its query string, for example
            V(/api/node/class/faultInst.json?query-target-filter=eq(faultInst.severity,"critical")).
          - The source adds C(subscription=yes) and C(refresh-timeout) itself.
        type: str
      node:
        description:
          - Scope a class subscription to one node (C(/api/node/class/<node>/<class>.json)),
            for example V(topology/pod-1/node-101).
        type: str
      query_target:
        description: The APIC C(query-target) option.
        type: str
        choices: [self, children, subtree]
      target_subtree_class:
        description: The APIC C(target-subtree-class) option (a class or a list of classes).
        type: raw
      query_target_filter:
        description: The APIC C(query-target-filter) option, for example V(eq(fvTenant.name,"prod")).
        type: str
      rsp_subtree:
        description: The APIC C(rsp-subtree) option.
        type: str
        choices: ['no', children, full]
      rsp_subtree_class:
        description: The APIC C(rsp-subtree-class) option (a class or a list of classes).
        type: raw
      rsp_subtree_include:
        description:
          - The APIC C(rsp-subtree-include) option, for example V(health) (pushes C(healthInst) changes)
            or V(faults).
        type: raw
      rsp_prop_include:
        description: The APIC C(rsp-prop-include) option.
        type: str
        choices: [all, naming-only, config-only]
      query_options:
        description:
          - Any other APIC query option, as a mapping of option name to value.
          - C(page), C(page-size) and C(order-by) are refused, because the source pages snapshots itself
            (O(page_size)).
        type: dict
      modified_attributes:
        description:
          - Emit a C(modified) event only when one of these attributes changed, for example
            V([operSt, operStQual]) for interfaces or V([cur]) for health scores.
          - C(created) and C(deleted) events are never filtered. The source still follows every change, so
            the next change is compared with the latest values, and the attributes of an event are the
            pushed ones as always.
          - Changes left out count in C(event.aci_status.filtered) of the heartbeat.
          - Empty or absent, every C(modified) change is an event, so a rulebook can pass a variable that may
            be unset, as C(tenant_watch) does with C(tenant_modified_attributes).
        type: list
        elements: str
      fold_window:
        description:
          - Seconds. The first C(modified) change of an object is emitted at once; further C(modified)
            changes of the same object inside this window are folded into one event, emitted when the
            window ends, that carries the latest values of every attribute they changed,
            C(event.aci.changed) listing all of them, and C(event.aci.folded) (how many changes it holds).
          - For flapping interfaces and moving endpoints. A C(created) or C(deleted) of the object first
            emits its folded change, so the order stays right and nothing is hidden.
          - V(0) (the default) folds nothing. Folded changes count in C(event.aci_status.folded).
        type: float
      changed_by:
        description:
          - Whether this subscription's events carry C(event.aci.changed_by) (see O(changed_by)); absent, the
            source's O(changed_by) decides.
          - Turn it on for configuration classes (tenants, EPGs, interface policies) and off for operational
            ones (endpoints, interface and switch state), whose changes nobody makes and the APIC never audits.
            Faults, health scores and history records never wait (C(changed_by_reason=not_audited)).
        type: bool
  refresh_timeout:
    description:
      - The C(refresh-timeout) of every subscription, in seconds. The source refreshes each subscription
        every third of it, so two refreshes may fail before a subscription could lapse.
    type: int
    default: 300
  page_size:
    description:
      - Objects per page of a subscription's snapshot. The subscribe itself asks for the first page (ordered
        by DN), the other pages are read with plain queries, and the snapshot is compared with the known state
        once every page is in; changes pushed meanwhile are applied after it, in the order they arrived.
      - A real APIC refuses results that are too large ("result dataset is too big"); when it refuses a page,
        the source tries again with pages ten times smaller (down to 10 objects) instead of failing.
      - V(0) reads each snapshot in one answer, and pages only when the APIC refuses it.
      - Memory stays bounded by the state the source keeps, not by the size of the answers.
    type: int
    default: 10000
  emit_existing:
    description:
      - At start-up, emit every object the subscriptions already hold, with C(event.aci.status=existing).
    type: bool
    default: false
  heartbeat_interval:
    description:
      - Seconds between status events (C(event.aci_status)); V(0) sends none.
    type: float
    default: 0
  reconnect_delay:
    description:
      - Seconds to wait before the second round of reconnect attempts; it doubles with every failed round
        (with up to 50% random jitter). The first retry after a working connection is immediate.
    type: float
    default: 1.0
  reconnect_delay_max:
    description:
      - The longest wait between reconnect rounds, in seconds.
    type: float
    default: 60.0
  reconnect_attempts:
    description:
      - Give up after this many failed connection attempts in a row; V(0) never gives up.
    type: int
    default: 0
  checkpoint:
    description:
      - Where the state the rule engine has received is kept across restarts, so that the changes made
        while the source was stopped are emitted when it starts again (created, modified with what changed,
        deleted; each with C(event.aci.recovered=true)).
      - Default is an SQLite file in the per-user state directory (C($XDG_STATE_HOME/fabricops.aci/checkpoints/),
        by default C(~/.local/state/fabricops.aci/checkpoints/)), one file per fabric and set of subscription names.
      - A directory (ending in V(/)) holds that file; any other path is the SQLite file itself.
      - A V(postgresql://user@host:5432/db) connection string keeps it in PostgreSQL (needs the Python package
        psycopg), for activations that move between nodes, such as an EDA controller or ansible-rulebook in
        HA mode. Give the password with O(checkpoint_password), E(ACI_CHECKPOINT_PASSWORD) or E(PGPASSWORD).
      - V(off) keeps the state in memory only (drops are still survived, restarts are not).
      - A first start without a checkpoint takes the APIC's snapshot as the baseline (and emits it with
        O(emit_existing)). A subscription whose definition changed starts a new baseline, with one warning.
        Adding or removing a subscription (a new set of names) starts a new checkpoint.
      - Two running sources cannot share a checkpoint (the second stops with an error); the checkpoint holds
        DNs, classes and attribute values, never a password, key or token.
    type: str
  checkpoint_password:
    description:
      - Password of the PostgreSQL user of a O(checkpoint) connection string. Falls back to
        E(ACI_CHECKPOINT_PASSWORD), then to libpq's own E(PGPASSWORD) and C(~/.pgpass). Never logged.
    type: str
  feedback:
    description:
      - Count an event as delivered only when the rule engine confirms it has taken it (ansible-rulebook's
        feedback, which needs C(--persistence-id)), instead of when the engine's queue accepts it.
      - The checkpoint then follows what the engine confirmed, so with the engine's own persistence nothing
        is lost when the whole process is killed; events handed over but not confirmed are emitted again,
        with the same C(meta.uuid), after a restart.
      - The source does not wait for one confirmation before handing over the next event.
      - Write it as a literal V(true) in the rulebook, not as a variable, because ansible-rulebook reads it
        before it renders variables, to decide whether to create the feedback queue.
    type: bool
    default: false
  feedback_timeout:
    description:
      - Seconds to wait for the rule engine to confirm an event (O(feedback)). An event not confirmed in
        time is logged and counted as not delivered, so it is emitted again after the next reconnect or restart.
    type: float
    default: 30
  changed_by:
    description:
      - Add C(event.aci.changed_by) to configuration events, taken from the APIC's audit log (C(aaaModLR)),
        with C(user), C(session), C(time), C(change_set), C(transaction), C(description) and C(record) (the
        audit record's DN). The source subscribes to the audit log itself; the user needs read access to it.
      - An event whose audit record has not arrived waits for it, at most O(changed_by_wait) seconds, in order
        with the events around it. If none arrives in time, C(changed_by) is V(null) and
        C(event.aci.changed_by_reason) says why (V(no_audit_record)); changes found by a snapshot after a drop
        or restart carry V(null) with V(recovered), objects listed at start-up V(null) with V(existing).
      - Applies to every subscription unless the subscription sets its own C(changed_by).
    type: bool
    default: false
  changed_by_wait:
    description:
      - Seconds an event waits at most for its audit record (O(changed_by)). V(0) attributes only events whose
        record arrived first, and holds none back.
    type: float
    default: 2.0
notes:
  - Events have the fields C(aci.class), C(aci.dn), C(aci.rn), C(aci.parent_dn), C(aci.tenant),
    C(aci.status) (V(created), V(modified), V(deleted), or V(existing)), C(aci.attributes) (as the APIC
    sent them), C(aci.changed) (names of the changed properties of a modification), C(aci.subscription),
    C(aci.apic), C(aci.recovered), C(aci.health) (for C(healthInst) with integer C(current) and C(previous)),
    C(aci.fault) (for C(faultInst), C(faultDelegate), C(faultRecord)), and a stable C(meta.uuid) derived
    from the change.
  - The reconciliation state costs one record per subscribed object and nothing per event, about 290
    bytes for a tenant (16 attributes) and 524 bytes for a bridge domain (44 attributes), measured by
    C(make bench). The checkpoint keeps each object's attribute values, written from a thread in batches
    every 0.2 s, so the event loop never waits for the disk.
  - Requires the Python package aiohttp (and cryptography for certificate users); orjson is used when
    installed.
  - On SIGTERM or SIGINT every source of the process logs out and returns, which makes ansible-rulebook end
    the activation with exit code 0 at any event rate (see the collection's docs/operations.md).
"""

EXAMPLES = r"""
- name: React to tenants and health scores
  hosts: localhost
  sources:
    - fabricops.aci.websocket:
        host: "{{ ACI_HOST }}"
        username: "{{ ACI_USERNAME }}"
        password: "{{ ACI_PASSWORD }}"
        ca_path: /etc/pki/apic-ca.pem
        subscriptions:
          - name: tenants
            class: fvTenant
            rsp_subtree_include: health
          - name: critical_faults
            class: faultInst
            query_target_filter: eq(faultInst.severity,"critical")
  rules:
    - name: New tenant
      condition: event.aci.subscription == "tenants" and event.aci.class == "fvTenant" and event.aci.status == "created"
      action:
        run_playbook:
          name: playbooks/tenant_onboard.yml
    - name: Unhealthy tenant
      condition: event.aci.class == "healthInst" and event.aci.health.current < 70
      action:
        debug:

- name: A cluster, a certificate user and a heartbeat
  hosts: localhost
  sources:
    - fabricops.aci.websocket:
        host: [apic1.example.com, apic2.example.com, apic3.example.com]
        username: eda
        private_key: /etc/eda/eda.key
        certificate_name: eda
        subscriptions: [fvTenant, fvBD]
        heartbeat_interval: 60
  rules:
    - name: Feed down
      condition: event.aci_status.connected == false
      action:
        debug:

- name: A noisy class, only what rules use
  hosts: localhost
  sources:
    - fabricops.aci.websocket:
        host: apic1.example.com
        password: "{{ ACI_PASSWORD }}"
        page_size: 5000
        subscriptions:
          - name: interfaces
            class: ethpmPhysIf
            modified_attributes: [operSt, operStQual]
            fold_window: 2
  rules:
    - name: Interface down (a flap inside 2 s arrives as one event with event.aci.folded)
      condition: event.aci.subscription == "interfaces" and event.aci.attributes.operSt == "down"
      action:
        debug:

- name: Who changed it, and never react to the automation's own writes
  hosts: localhost
  sources:
    - fabricops.aci.websocket:
        host: apic1.example.com
        password: "{{ ACI_PASSWORD }}"
        changed_by: true
        subscriptions:
          - name: bridge_domains
            class: fvBD
  rules:
    - name: A bridge domain changed by a person
      condition: >-
        event.aci.class == "fvBD" and event.aci.changed_by != null
        and event.aci.changed_by.user != "fabricops-eda"
      action:
        debug:
          msg: "{{ event.aci.changed_by.user }} changed {{ event.aci.dn }}: {{ event.aci.changed_by.change_set }}"
"""

import os  # noqa: E402 (documentation strings come first, as in every Ansible plugin)
import sys  # noqa: E402


def _collections_parent(path: str):
    """The folder that holds ``ansible_collections/``, found by walking up from ``path`` (no symlink resolution)."""
    current = os.path.abspath(path)
    while True:
        parent = os.path.dirname(current)
        if os.path.basename(current) == "ansible_collections":
            return parent
        if parent == current:
            return None
        current = parent


_ROOT = _collections_parent(__file__)
if _ROOT is None:
    raise ImportError("fabricops.aci.websocket must be run from an installed collection "
                      "(a path containing ansible_collections/fabricops/aci)")
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from ansible_collections.fabricops.aci.plugins.module_utils.event_source import entry  # noqa: E402


async def main(queue, args):
    """Run the source: put one event per APIC change on ``queue`` until cancelled."""
    await entry.run(queue, args)


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=os.environ.get("ACI_LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(entry.run_standalone(sys.argv[1:]))

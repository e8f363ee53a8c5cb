#!/usr/bin/python
# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who changed what under an APIC object, and when, from the audit records."""

from __future__ import annotations

DOCUMENTATION = r"""
module: audit_info
short_description: Who changed what under an APIC object, in a time window, from the audit log
version_added: 0.1.0
description:
  - Lists the audit records (C(aaaModLR)) of configuration changes to the object at O(dn) and, unless
    O(subtree=false), everything beneath it, most recent first, with the user, the session, the kind of
    change and the change set taken apart into properties with their old and new values.
  - Use it in a reaction playbook to say who made a change the event source pushed, or to tell the
    automation's own changes (O(exclude_users)) from everybody else's.
  - A user who logged in through a login domain (C(apic#domain\\user)) is recorded by the APIC under the
    user name; O(users) and O(exclude_users) match either form.
author:
  - fabricops maintainers (@fabricops)
extends_documentation_fragment:
  - fabricops.aci.connection
  - fabricops.aci.attributes.info
options:
  dn:
    description: DN of the object whose changes are listed, for example V(uni/tn-prod). Without it, every change.
    type: str
  subtree:
    description: Also list changes to the objects beneath O(dn).
    type: bool
    default: true
  minutes:
    description: Only changes of the last this many minutes. Mutually exclusive with O(since).
    type: int
  since:
    description: Only changes at or after this ISO 8601 time, for example V(2026-01-05T09:00:00+00:00).
    type: str
  until:
    description: Only changes at or before this ISO 8601 time.
    type: str
  users:
    description: Only changes made by these users.
    type: list
    elements: str
  exclude_users:
    description: Leave out changes made by these users (for example the automation's own).
    type: list
    elements: str
  actions:
    description: Only these kinds of change (C(ind)).
    type: list
    elements: str
    choices: [ creation, modification, deletion ]
  limit:
    description: At most this many records, the most recent ones.
    type: int
    default: 100
"""

EXAMPLES = r"""
- name: Who changed the tenant an event came from in the last hour, apart from the automation
  fabricops.aci.audit_info:
    dn: "uni/tn-{{ ansible_eda.event.aci.tenant }}"
    minutes: 60
    exclude_users: [fabricops-eda]
  register: audit

- name: Name the last one
  ansible.builtin.debug:
    msg: "{{ audit.last.user }} {{ audit.last.action }} {{ audit.last.affected }}: {{ audit.last.change_set }}"
  when: audit.last
"""

RETURN = r"""
records:
  description: The matching audit records, most recent first.
  returned: always
  type: list
  elements: dict
  contains:
    dn:
      description: DN of the audit record (C(subj-[<affected>]/mod-<id>)).
      type: str
      returned: always
    id:
      description: Record id.
      type: str
      returned: always
    affected:
      description: DN of the object that was changed.
      type: str
      returned: always
    tenant:
      description: Tenant of the changed object, or V(null) outside tenants.
      type: str
      returned: always
    user:
      description: APIC user who made the change.
      type: str
      returned: always
    session:
      description: Session id of the change (empty for changes made without a session).
      type: str
      returned: always
    action:
      description: V(creation), V(modification) or V(deletion) (C(ind)).
      type: str
      returned: always
    change_set:
      description: The change set as the APIC wrote it.
      type: str
      returned: always
    changes:
      description: The change set as a list of C(property), C(old) (V(null) for a creation) and C(new).
      type: list
      elements: dict
      returned: always
    description:
      description: Text of the record (C(descr)).
      type: str
      returned: always
    created:
      description: When the change was made.
      type: str
      returned: always
    transaction:
      description: Transaction id; records of one commit share it.
      type: str
      returned: always
  sample: [{"affected": "uni/tn-prod", "user": "jdoe", "action": "modification",
            "change_set": "descr (Old: web, New: shop)",
            "changes": [{"property": "descr", "old": "web", "new": "shop"}],
            "created": "2026-01-05T09:12:44.118+00:00"}]
last:
  description: The most recent matching record, or V(null) when there is none.
  returned: always
  type: dict
users:
  description: The users among the matching records, sorted.
  returned: always
  type: list
  elements: str
  sample: [ jdoe ]
total:
  description: Number of returned records.
  returned: always
  type: int
  sample: 1
window:
  description: The time window searched (C(since), C(until)), V(null) for an open end.
  returned: always
  type: dict
  sample: {"since": "2026-01-05T08:12:44.118+00:00", "until": null}
"""

from datetime import datetime, timezone

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.fabricops.aci.plugins.module_utils.argspec import connection_argument_spec
from ansible_collections.fabricops.aci.plugins.module_utils.core.history import (
    ACTIONS,
    AUDIT_CLASS,
    apic_time,
    audit_record,
    newest_first,
    time_window,
    under,
    user_name,
    within,
)
from ansible_collections.fabricops.aci.plugins.module_utils.core.query import and_, class_path, eq, ge, le, or_, wcard
from ansible_collections.fabricops.aci.plugins.module_utils.results import split_object
from ansible_collections.fabricops.aci.plugins.module_utils.runner import run_module

#: A DN with these is not narrowed by the APIC (wcard reads them as a pattern); the local check still applies.
_PATTERN_CHARACTERS = frozenset("[]().*+?^$|\\")


def audit_filter(dn: str, start, end, actions: list) -> str | None:
    """What the APIC can narrow down itself; the exact selection is made again locally."""
    parts = []
    if dn and not set(dn) & _PATTERN_CHARACTERS:
        parts.append(wcard(AUDIT_CLASS + ".affected", dn))
    if start is not None:
        parts.append(ge(AUDIT_CLASS + ".created", apic_time(start)))
    if end is not None:
        parts.append(le(AUDIT_CLASS + ".created", apic_time(end)))
    if actions:
        parts.append(or_(*(eq(AUDIT_CLASS + ".ind", action) for action in actions)))
    return and_(*parts) if parts else None


def main() -> None:
    """Entry point."""
    spec = connection_argument_spec()
    spec.update(
        dn={"type": "str"},
        subtree={"type": "bool", "default": True},
        minutes={"type": "int"},
        since={"type": "str"},
        until={"type": "str"},
        users={"type": "list", "elements": "str"},
        exclude_users={"type": "list", "elements": "str"},
        actions={"type": "list", "elements": "str", "choices": list(ACTIONS)},
        limit={"type": "int", "default": 100},
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True, mutually_exclusive=[("minutes", "since")])
    params = module.params
    if params["limit"] < 1:
        module.fail_json(msg=f"limit must be 1 or more, not {params['limit']}")
    wanted_users = {user_name(user) for user in params["users"] or []}
    unwanted_users = {user_name(user) for user in params["exclude_users"] or []}
    actions = params["actions"] or []
    scope = (params["dn"] or "").strip("/")

    def work(client):
        start, end = time_window(params["since"], params["until"], params["minutes"], datetime.now(timezone.utc))
        options = {"query-target-filter": audit_filter(scope, start, end, actions)}
        records = []
        for obj in client.get_all(class_path(AUDIT_CLASS), options):
            cls, attributes, _children = split_object(obj)
            if cls != AUDIT_CLASS:
                continue
            record = audit_record(attributes)
            user = user_name(record["user"])
            if not under(record["affected"], scope, params["subtree"]) or not within(record["created"], start, end):
                continue
            if (wanted_users and user not in wanted_users) or user in unwanted_users:
                continue
            if actions and record["action"] not in actions:
                continue
            records.append(record)
        records = newest_first(records)[:params["limit"]]
        return {
            "changed": False,
            "records": records,
            "last": records[0] if records else None,
            "users": sorted({record["user"] for record in records}),
            "total": len(records),
            "window": {"since": apic_time(start) if start else None, "until": apic_time(end) if end else None},
        }

    run_module(module, work)


if __name__ == "__main__":
    main()

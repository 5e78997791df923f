# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests that validate network inputs before anything is created."""

from __future__ import annotations

import ipaddress


def ipv4_cidr(value):
    """True for an IPv4 CIDR block written with its prefix and no host bits, such as 10.0.0.0/16."""
    if not isinstance(value, str) or "/" not in value:
        return False
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return False
    return True


def cidr_within(value, outer):
    """True when the CIDR block ``value`` lies entirely inside ``outer``; False when either is not a CIDR."""
    if not (ipv4_cidr(value) and ipv4_cidr(outer)):
        return False
    return ipaddress.IPv4Network(value).subnet_of(ipaddress.IPv4Network(outer))


class TestModule:
    def tests(self):
        return {
            "ipv4_cidr": ipv4_cidr,
            "cidr_within": cidr_within,
        }

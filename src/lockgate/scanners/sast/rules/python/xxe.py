# ruff: noqa
# Fixture for semgrep --test (lockgate rule pack); data, not code that runs.
import xml.sax
from xml.dom import minidom
from xml.etree import ElementTree as ET

import defusedxml.ElementTree
from flask import Flask, request
from lxml import etree

app = Flask(__name__)
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@app.route("/import", methods=["POST"])
def import_xml():
    # ruleid: lockgate.python.xxe.tainted-lxml-parse
    doc = etree.fromstring(request.data)
    # ok: lockgate.python.xxe.tainted-lxml-parse
    doc = etree.fromstring(request.data, parser=SAFE_PARSER)
    # ruleid: lockgate.python.xxe.lxml-parser-resolves-entities
    unsafe = etree.XMLParser(resolve_entities=True)
    # ruleid: lockgate.python.xxe.lxml-parser-resolves-entities
    doc = etree.fromstring(request.get_data(), etree.XMLParser(resolve_entities=True, no_network=False))
    # ok: lockgate.python.xxe.lxml-parser-resolves-entities
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    return "ok"


@app.route("/legacy", methods=["POST"])
def legacy():
    body = request.get_data()
    # ruleid: lockgate.python.xxe.tainted-stdlib-xml-parse
    dom = minidom.parseString(body)
    # ruleid: lockgate.python.xxe.tainted-stdlib-xml-parse
    root = ET.fromstring(body)
    # ok: lockgate.python.xxe.tainted-stdlib-xml-parse
    root = defusedxml.ElementTree.fromstring(body)
    # ruleid: lockgate.python.xxe.tainted-stdlib-xml-parse
    xml.sax.parseString(body, Handler())
    return "ok"


def read_feed(path):
    parser = xml.sax.make_parser()
    # ruleid: lockgate.python.xxe.sax-external-entities-enabled
    parser.setFeature(xml.sax.handler.feature_external_ges, True)
    # ok: lockgate.python.xxe.sax-external-entities-enabled
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    # ok: lockgate.python.xxe.tainted-stdlib-xml-parse
    return ET.parse(path)

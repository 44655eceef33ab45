package com.example.xml;

import java.io.InputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamReader;
import org.w3c.dom.Document;
import org.xml.sax.helpers.DefaultHandler;

public class XmlParsers {

    public Document parseDom(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        // ruleid: lockgate.java.xxe.document-builder-factory
        DocumentBuilder builder = dbf.newDocumentBuilder();
        return builder.parse(in);
    }

    public Document parseDomInline(InputStream in) throws Exception {
        // ruleid: lockgate.java.xxe.document-builder-factory
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }

    public Document parseDomSafe(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.setXIncludeAware(false);
        // ok: lockgate.java.xxe.document-builder-factory
        DocumentBuilder builder = dbf.newDocumentBuilder();
        return builder.parse(in);
    }

    public Document parseDomSafeEntities(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
        dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        // ok: lockgate.java.xxe.document-builder-factory
        return dbf.newDocumentBuilder().parse(in);
    }

    public Document parseDomSafeAttribute(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        // ok: lockgate.java.xxe.document-builder-factory
        return dbf.newDocumentBuilder().parse(in);
    }

    public Document parseDomSafeTry(InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        try {
            dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser cannot be hardened", e);
        }
        // ok: lockgate.java.xxe.document-builder-factory
        return dbf.newDocumentBuilder().parse(in);
    }

    public void parseSax(InputStream in, DefaultHandler handler) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        // ruleid: lockgate.java.xxe.sax-parser-factory
        SAXParser parser = spf.newSAXParser();
        parser.parse(in, handler);
    }

    public void parseSaxSafe(InputStream in, DefaultHandler handler) throws Exception {
        SAXParserFactory spf = SAXParserFactory.newInstance();
        spf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // ok: lockgate.java.xxe.sax-parser-factory
        SAXParser parser = spf.newSAXParser();
        parser.parse(in, handler);
    }

    public XMLStreamReader stax(InputStream in) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        // ruleid: lockgate.java.xxe.xml-input-factory
        return xif.createXMLStreamReader(in);
    }

    public XMLStreamReader staxSafe(InputStream in) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newInstance();
        xif.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        // ok: lockgate.java.xxe.xml-input-factory
        return xif.createXMLStreamReader(in);
    }

    public XMLStreamReader staxSafeEntities(InputStream in) throws Exception {
        XMLInputFactory xif = XMLInputFactory.newFactory();
        xif.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // ok: lockgate.java.xxe.xml-input-factory
        return xif.createXMLStreamReader(in);
    }
}

package com.example.web;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.beans.XMLDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import javax.servlet.http.HttpServletRequest;
import org.apache.commons.io.serialization.ValidatingObjectInputStream;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ImportController {

    @PostMapping("/import")
    public String importObject(HttpServletRequest request) throws IOException, ClassNotFoundException {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        // ruleid: lockgate.java.deserialization.object-input-stream
        Object o = in.readObject();
        return o.toString();
    }

    @PostMapping("/import-bytes")
    public String importBytes(@RequestBody byte[] body) throws IOException, ClassNotFoundException {
        // ruleid: lockgate.java.deserialization.object-input-stream
        Object o = new ObjectInputStream(new ByteArrayInputStream(body)).readObject();
        return o.toString();
    }

    @PostMapping("/import-filtered")
    public String importFiltered(HttpServletRequest request) throws IOException, ClassNotFoundException {
        ObjectInputStream in = new ObjectInputStream(request.getInputStream());
        in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.example.dto.*;!*"));
        // ok: lockgate.java.deserialization.object-input-stream
        Object o = in.readObject();
        return o.toString();
    }

    @PostMapping("/import-validated")
    public String importValidated(HttpServletRequest request) throws IOException, ClassNotFoundException {
        ValidatingObjectInputStream in = new ValidatingObjectInputStream(request.getInputStream());
        in.accept(Order.class);
        // ok: lockgate.java.deserialization.object-input-stream
        Object o = in.readObject();
        return o.toString();
    }

    public Object loadLocal(InputStream trustedFile) throws IOException, ClassNotFoundException {
        // ok: lockgate.java.deserialization.object-input-stream
        return new ObjectInputStream(trustedFile).readObject();
    }

    @PostMapping("/beans")
    public String beans(HttpServletRequest request) throws IOException {
        // ruleid: lockgate.java.deserialization.xml-decoder
        XMLDecoder decoder = new XMLDecoder(request.getInputStream());
        return decoder.readObject().toString();
    }

    public Object beansLocal(InputStream trustedFile) {
        // ok: lockgate.java.deserialization.xml-decoder
        return new XMLDecoder(trustedFile).readObject();
    }

    public ObjectMapper mappers() {
        ObjectMapper legacy = new ObjectMapper();
        // ruleid: lockgate.java.deserialization.jackson-default-typing
        legacy.enableDefaultTyping();
        ObjectMapper permissive = new ObjectMapper();
        // ruleid: lockgate.java.deserialization.jackson-default-typing
        permissive.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        ObjectMapper strict = new ObjectMapper();
        // ok: lockgate.java.deserialization.jackson-default-typing
        strict.activateDefaultTyping(
                BasicPolymorphicTypeValidator.builder().allowIfSubType("com.example.dto.").build(),
                ObjectMapper.DefaultTyping.NON_FINAL);
        return strict;
    }

    static class Envelope {
        // ruleid: lockgate.java.deserialization.jackson-default-typing
        @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class")
        public Object payload;

        // ok: lockgate.java.deserialization.jackson-default-typing
        @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
        public Object named;
    }

    static class Order implements java.io.Serializable {}
}

package com.example.web;

import java.io.IOException;
import java.io.PrintWriter;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.owasp.encoder.Encode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

@RestController
public class GreetingController {

    @GetMapping("/hello")
    public void hello(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        // ruleid: lockgate.java.xss.servlet-response-writer
        response.getWriter().write("<h1>Hello " + name + "</h1>");
    }

    @GetMapping("/hello2")
    public void hello2(@RequestParam String name, HttpServletResponse response) throws IOException {
        PrintWriter out = response.getWriter();
        // ruleid: lockgate.java.xss.servlet-response-writer
        out.println("<p>" + name + "</p>");
        // ok: lockgate.java.xss.servlet-response-writer
        out.println("<p>" + Encode.forHtml(name) + "</p>");
        // ok: lockgate.java.xss.servlet-response-writer
        out.println("<p>" + HtmlUtils.htmlEscape(name) + "</p>");
        // ok: lockgate.java.xss.servlet-response-writer
        out.println("<p>static</p>");
    }

    @GetMapping("/plain")
    public void plain(@RequestParam String name, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        // ok: lockgate.java.xss.servlet-response-writer
        response.getWriter().write("Hello " + name);
    }

    @GetMapping(value = "/page", produces = MediaType.TEXT_HTML_VALUE)
    public String page(@RequestParam String title) {
        String html = "<html><title>" + title + "</title></html>";
        // ruleid: lockgate.java.xss.spring-html-response
        return html;
    }

    @GetMapping("/greet")
    public String greet(@RequestParam String name) {
        // ruleid: lockgate.java.xss.spring-html-response
        return "<div class=\"greeting\">Hello, " + name + "!</div>";
    }

    @GetMapping("/entity")
    public ResponseEntity<String> entity(@RequestParam String q) {
        // ruleid: lockgate.java.xss.spring-html-response
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<b>" + q + "</b>");
    }

    @GetMapping("/greet-safe")
    public String greetSafe(@RequestParam String name) {
        // ok: lockgate.java.xss.spring-html-response
        return "<div>Hello, " + HtmlUtils.htmlEscape(name) + "!</div>";
    }

    @GetMapping("/echo")
    public String echo(@RequestParam String name) {
        // ok: lockgate.java.xss.spring-html-response
        return "Hello, " + name;
    }

    @GetMapping(value = "/page-safe", produces = MediaType.TEXT_HTML_VALUE)
    public String pageSafe(@RequestParam String title) {
        // ok: lockgate.java.xss.spring-html-response
        return "<html><title>" + Encode.forHtml(title) + "</title></html>";
    }
}

@Controller
class ViewController {

    @GetMapping("/view")
    public String view(@RequestParam String name) {
        // ok: lockgate.java.xss.spring-html-response
        return "redirect:/home";
    }

    @GetMapping("/fragment")
    @ResponseBody
    public String fragment(@RequestParam String name) {
        // ruleid: lockgate.java.xss.spring-html-response
        return "<span>" + name + "</span>";
    }
}

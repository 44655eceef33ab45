package com.example.web;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import javax.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class DiagnosticsController {

    private static final Set<String> ALLOWED_HOSTS = Set.of("example.com", "example.org");

    @GetMapping("/ping")
    public String ping(@RequestParam("host") String host) throws IOException {
        // ruleid: lockgate.java.command-injection.runtime-exec
        Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
        return "started";
    }

    @GetMapping("/shell")
    public String shell(HttpServletRequest request) throws IOException {
        String cmd = request.getParameter("cmd");
        Runtime runtime = Runtime.getRuntime();
        // ruleid: lockgate.java.command-injection.runtime-exec
        runtime.exec(new String[] {"/bin/sh", "-c", cmd});
        return "started";
    }

    @GetMapping("/tool/{name}")
    public String tool(@PathVariable String name, @RequestParam String arg) throws IOException {
        // ruleid: lockgate.java.command-injection.process-builder
        new ProcessBuilder(name, "--version").start();
        // ruleid: lockgate.java.command-injection.process-builder
        new ProcessBuilder("bash", "-c", "grep " + arg + " /var/log/app.log").start();
        ProcessBuilder pb = new ProcessBuilder();
        // ruleid: lockgate.java.command-injection.process-builder
        pb.command(Arrays.asList("sh", "-c", "tar xf " + arg));
        // ok: lockgate.java.command-injection.process-builder
        new ProcessBuilder("git", "log", "--", arg).start();
        // ok: lockgate.java.command-injection.process-builder
        new ProcessBuilder("bash", "-c", "make clean").start();
        return "started";
    }

    @GetMapping("/ping-safe")
    public String pingSafe(@RequestParam("host") String host) throws IOException {
        if (!ALLOWED_HOSTS.contains(host)) {
            throw new IllegalArgumentException("unknown host");
        }
        // ok: lockgate.java.command-injection.runtime-exec
        Runtime.getRuntime().exec("ping -c 1 " + host);
        return "started";
    }

    @GetMapping("/count")
    public String count(@RequestParam int lines) throws IOException {
        // ok: lockgate.java.command-injection.runtime-exec
        Runtime.getRuntime().exec("tail -n " + lines + " /var/log/app.log");
        // ok: lockgate.java.command-injection.runtime-exec
        Runtime.getRuntime().exec("uptime");
        return "started";
    }
}

package com.example.web;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.view.RedirectView;

@Controller
public class LoginController {

    private static final Set<String> ALLOWED_TARGETS = Set.of("/", "/account", "/orders");

    @GetMapping("/login/done")
    public String done(@RequestParam("next") String next) {
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        return "redirect:" + next;
    }

    @GetMapping("/logout")
    public void logout(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String target = request.getParameter("returnTo");
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        response.sendRedirect(target);
    }

    @GetMapping("/back")
    public RedirectView back(@RequestHeader("Referer") String referer) {
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        return new RedirectView(referer);
    }

    @GetMapping("/sso")
    public ModelAndView sso(@RequestParam String host) {
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        return new ModelAndView("redirect:https://" + host + "/sso");
    }

    @GetMapping("/api/next")
    public ResponseEntity<Void> apiNext(@RequestParam String next) {
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(next)).build();
    }

    @GetMapping("/orders/open")
    public String openOrder(@RequestParam String id) {
        // ok: lockgate.java.open-redirect.tainted-redirect
        return "redirect:/orders/" + id;
    }

    @GetMapping("/login/safe")
    public String doneSafe(@RequestParam("next") String next) {
        if (!ALLOWED_TARGETS.contains(next)) {
            return "redirect:/";
        }
        // ok: lockgate.java.open-redirect.tainted-redirect
        return "redirect:" + next;
    }

    @GetMapping("/logout/checked")
    public void logoutChecked(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String url = request.getParameter("url");
        if (!UrlPolicy.isAllowedRedirect(url)) {
            response.sendRedirect("/error");
            return;
        }
        // ok: lockgate.java.open-redirect.tainted-redirect
        response.sendRedirect(url);
    }

    @GetMapping("/implicit")
    public String implicit(String next) {
        // ruleid: lockgate.java.open-redirect.tainted-redirect
        return "redirect:" + next;
    }

    @GetMapping("/logout/safe")
    public void logoutSafe(@RequestParam String id, HttpServletResponse response) throws IOException {
        // ok: lockgate.java.open-redirect.tainted-redirect
        response.sendRedirect("/goodbye?id=" + id);
        // ok: lockgate.java.open-redirect.tainted-redirect
        response.sendRedirect("/home");
    }
}

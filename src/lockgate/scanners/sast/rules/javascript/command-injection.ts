import { Router, Request, Response } from "express";
import { exec, execFile } from "node:child_process";
import * as childProcess from "child_process";

interface ArchiveBody {
  name: string;
}

const router = Router();
const ALLOWED_TOOLS: ReadonlySet<string> = new Set(["uptime", "df"]);

router.get("/dig", (req: Request, res: Response): void => {
  const domain = String(req.query.domain);
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  exec(`dig +short ${domain}`, (err, stdout) => res.type("text/plain").send(stdout));
});

router.post("/archive", async (req: Request, res: Response) => {
  const { name } = req.body as ArchiveBody;
  // ruleid: lockgate.javascript.command-injection.child-process-exec
  childProcess.execSync("tar czf /tmp/out.tgz " + name);
  // ruleid: lockgate.javascript.command-injection.spawn-shell
  childProcess.spawn("tar", ["czf", "/tmp/out.tgz", name], { shell: true });
  // ok: lockgate.javascript.command-injection.spawn-shell
  childProcess.spawn("tar", ["czf", "/tmp/out.tgz", name]);
  res.sendStatus(204);
});

router.post("/archive2", (req: Request, res: Response) => {
  // Known gap: semgrep loses taint when destructuring through `as { ...type literal... }`.
  const { name } = req.body as { name: string };
  // todoruleid: lockgate.javascript.command-injection.child-process-exec
  childProcess.execSync("tar czf /tmp/out.tgz " + name);
  res.sendStatus(204);
});

router.get("/tool", (req: Request, res: Response) => {
  const tool = req.query.tool as string;
  if (!ALLOWED_TOOLS.has(tool)) {
    res.sendStatus(400);
    return;
  }
  // ok: lockgate.javascript.command-injection.child-process-exec
  exec(tool, (err, stdout) => res.type("text/plain").send(stdout));
  // ok: lockgate.javascript.command-injection.child-process-exec
  execFile("ping", ["-c", "1", String(req.query.host)]);
});

export class Matcher {
  run(pattern: RegExp, text: string): RegExpExecArray | null {
    // ok: lockgate.javascript.command-injection.child-process-exec
    return pattern.exec(text);
  }
}

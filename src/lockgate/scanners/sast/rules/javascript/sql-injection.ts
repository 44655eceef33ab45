import express, { Request, Response } from "express";
import { Pool } from "pg";

const app = express();
const pool = new Pool();

app.get("/orders", async (req: Request, res: Response): Promise<void> => {
  const status = req.query.status as string;
  // ruleid: lockgate.javascript.sql-injection.string-built-query
  const result = await pool.query(`SELECT * FROM orders WHERE status = '${status}'`);
  res.json(result.rows);
});

export async function orderById(req: Request, res: Response): Promise<void> {
  const id: string = req.params.id;
  // ok: lockgate.javascript.sql-injection.string-built-query
  const result = await pool.query("SELECT * FROM orders WHERE id = $1", [id]);
  res.json(result.rows);
}

class OrderController {
  constructor(private readonly db: Pool) {}

  async search(req: Request, res: Response): Promise<void> {
    const term = String(req.body.term);
    // ruleid: lockgate.javascript.sql-injection.string-built-query
    const rows = await this.db.query("SELECT * FROM orders WHERE note LIKE '%" + term + "%'");
    res.json(rows);
  }
}

-- CreateIndex
CREATE INDEX "AuditEvent_actorEmail_createdAt_id_idx" ON "AuditEvent"("actorEmail", "createdAt" DESC, "id" DESC);


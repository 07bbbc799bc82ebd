-- CreateIndex
CREATE INDEX "Message_status_idx" ON "Message"("status");


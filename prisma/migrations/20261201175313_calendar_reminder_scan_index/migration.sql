-- CreateIndex
CREATE INDEX "Event_rangeEnd_rangeStart_idx" ON "Event"("rangeEnd", "rangeStart");


-- AlterTable
ALTER TABLE "DeletedImportedEvent" ADD COLUMN     "lastEnd" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "DeletedImportedEvent_lastEnd_idx" ON "DeletedImportedEvent"("lastEnd");

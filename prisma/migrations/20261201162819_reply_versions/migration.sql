-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "selected" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "versionGroupId" TEXT;

-- CreateIndex
CREATE INDEX "Message_versionGroupId_createdAt_id_idx" ON "Message"("versionGroupId", "createdAt", "id");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_versionGroupId_fkey" FOREIGN KEY ("versionGroupId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- At most one selected version per group (not expressible in schema.prisma): switching versions
-- unselects the group first, then selects the chosen one.
CREATE UNIQUE INDEX "Message_versionGroupId_selected_key" ON "Message"("versionGroupId") WHERE "selected";

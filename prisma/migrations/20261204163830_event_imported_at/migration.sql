-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "importedAt" TIMESTAMP(3);


-- Events imported before this was kept: taken as unchanged since their import (no way to tell), so that
-- importing their file again still updates them, as it did.
UPDATE "Event" SET "importedAt" = "updatedAt" WHERE "source" = 'import';

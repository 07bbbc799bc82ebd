-- CreateTable
CREATE TABLE "DeletedImportedEvent" (
    "userId" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DeletedImportedEvent_pkey" PRIMARY KEY ("userId","uid")
);

-- AddForeignKey
ALTER TABLE "DeletedImportedEvent" ADD CONSTRAINT "DeletedImportedEvent_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

